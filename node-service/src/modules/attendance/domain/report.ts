import type { Locale } from '../../../shared/errors.js';
import type { ResultStatus } from './results.js';

/** How a status reads in a report, in the reader's language. */
const STATUS_LABELS: Record<Locale, Record<ResultStatus, string>> = {
  es: { present: 'Presente', partial: 'Parcial', late: 'Tarde', absent: 'Ausente', excused: 'Justificado', manual_present: 'Presente (manual)', manual_absent: 'Ausente (manual)' },
  en: { present: 'Present', partial: 'Partial', late: 'Late', absent: 'Absent', excused: 'Excused', manual_present: 'Present (manual)', manual_absent: 'Absent (manual)' },
};

export function statusLabel(status: ResultStatus, locale: Locale): string {
  return STATUS_LABELS[locale][status];
}

/** What a confirmation's alert means, in words a teacher understands (enrollment's alerts, a re-binding). */
const ALERT_LABELS: Record<Locale, Record<string, string>> = {
  es: {
    shared_phone: 'teléfono compartido con otro estudiante',
    synced_passkey: 'llave de acceso sincronizada',
    frequent_rebinds: 'volvió a vincular su teléfono varias veces',
    rebound_recently: 'volvió a vincular su teléfono en las últimas 24 h',
    shared_device: 'dispositivo usado en dos lugares o a la vez',
    spot_check_missed: 'no contestó cuando se le llamó al azar',
  },
  en: {
    shared_phone: 'phone shared with another student',
    synced_passkey: 'synced passkey',
    frequent_rebinds: 'phone linked again several times',
    rebound_recently: 'phone linked again in the last 24 h',
    shared_device: 'device used in two places or at once',
    spot_check_missed: 'did not answer when called at random',
  },
};

export function alertLabels(alerts: readonly string[], locale: Locale): string | null {
  return alerts.length === 0 ? null : alerts.map((alert) => ALERT_LABELS[locale][alert] ?? alert).join('; ');
}

/** A spot check's mark in a report: who was called and what the teacher marked (empty: never called). */
const SPOT_CHECK_LABELS: Record<Locale, Record<'called' | 'answered' | 'no_answer', string>> = {
  es: { called: 'llamado, sin marcar', answered: 'contestó', no_answer: 'no contestó' },
  en: { called: 'called, not marked', answered: 'answered', no_answer: 'did not answer' },
};

export function spotCheckLabel(outcome: 'called' | 'answered' | 'no_answer' | null, locale: Locale): string | null {
  return outcome === null ? null : SPOT_CHECK_LABELS[locale][outcome];
}

/** A cell: text, a number, empty, or an instant (shown in the table's time zone, a real date cell in XLSX). */
export type Cell = string | number | null | Date;

/** A report as rows of cells, ready for CSV or a spreadsheet. */
export interface Table {
  title: string;
  /**
   * Lines printed above the table in a spreadsheet (course, teacher, period, minimum), so a printed sheet
   * says what it is; the CSV leaves them out, its first line stays the header a program reads.
   */
  titleRows?: string[];
  /** The institution's IANA time zone: instants are written as its wall-clock time. */
  timeZone: string;
  header: string[];
  rows: Cell[][];
}

/**
 * Sorting key for a roster read surname first. The portal keeps one full name, given names first; Chilean
 * names end with two surnames ("Luis Alberto Pérez Soto"), shorter ones with one ("Luis Pérez"), so the
 * surnames are the last two words of a name of three or more, the last word otherwise.
 */
export function surnameFirst(name: string): string {
  const words = name.trim().split(/\s+/);
  const surnames = words.length >= 3 ? words.length - 2 : words.length - 1;
  return [...words.slice(surnames), ...words.slice(0, surnames)].join(' ');
}

export function bySurname(a: string, b: string): number {
  return surnameFirst(a).localeCompare(surnameFirst(b), 'es', { sensitivity: 'base' }) || a.localeCompare(b, 'es');
}

/** Per-student totals of a course: each status counted (a manual presence as present, a manual absence as absent). */
export interface StatusTotals {
  present: number;
  late: number;
  partial: number;
  absent: number;
  excused: number;
}

export function statusTotals(statuses: readonly ResultStatus[]): StatusTotals {
  const totals: StatusTotals = { present: 0, late: 0, partial: 0, absent: 0, excused: 0 };
  for (const status of statuses) totals[status === 'manual_present' ? 'present' : status === 'manual_absent' ? 'absent' : status] += 1;
  return totals;
}
