import type { Locale } from '../../../shared/errors.js';
import type { ResultStatus } from './results.js';

/** How a status reads in a report, in the reader's language. */
const STATUS_LABELS: Record<Locale, Record<ResultStatus, string>> = {
  es: { present: 'Presente', partial: 'Parcial', late: 'Tarde', absent: 'Ausente', excused: 'Justificado', manual_present: 'Presente (manual)' },
  en: { present: 'Present', partial: 'Partial', late: 'Late', absent: 'Absent', excused: 'Excused', manual_present: 'Present (manual)' },
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
  },
  en: {
    shared_phone: 'phone shared with another student',
    synced_passkey: 'synced passkey',
    frequent_rebinds: 'phone linked again several times',
    rebound_recently: 'phone linked again in the last 24 h',
  },
};

export function alertLabels(alerts: readonly string[], locale: Locale): string | null {
  return alerts.length === 0 ? null : alerts.map((alert) => ALERT_LABELS[locale][alert] ?? alert).join('; ');
}

/** A report as rows of cells, ready for CSV or a spreadsheet. */
export interface Table {
  title: string;
  header: string[];
  rows: Array<Array<string | number | null>>;
}
