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

/** A report as rows of cells, ready for CSV or a spreadsheet. */
export interface Table {
  title: string;
  header: string[];
  rows: Array<Array<string | number | null>>;
}
