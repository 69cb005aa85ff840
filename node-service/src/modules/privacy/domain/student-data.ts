/**
 * Everything the service holds about one student (docs/privacy.md), as they or an admin receive it.
 * Receipts travel in their own form (evidence module): what was signed, so that it can be re-checked.
 */
export interface StudentData {
  generatedAt: string;
  identity: { studentId: string; namesOnRosters: string[] };
  devices: Array<Record<string, unknown> & { history: Array<Record<string, unknown>>; alerts: Array<Record<string, unknown>> }>;
  confirmations: Array<Record<string, unknown> & { receipt: unknown }>;
  results: Array<Record<string, unknown>>;
  corrections: Array<Record<string, unknown>>;
  /** Each time a teacher called the student at random ("Llamar al azar") and what they marked. */
  spotChecks: Array<Record<string, unknown>>;
  /** Scans of theirs that were refused, the latest per class (what the teacher's roster showed). */
  scanAttempts: Array<Record<string, unknown>>;
  /** Their requests to justify absences and the decisions (the documents' type, name and size, not their bytes). */
  justifications: Array<Record<string, unknown>>;
  flags: Array<Record<string, unknown>>;
  /** Who (admins, operators) read or erased this student's data, and when. */
  accessLog: Array<Record<string, unknown>>;
}

/** A student's data as rows (section, fields as JSON) for a spreadsheet: one row per thing held. */
export function studentDataRows(data: StudentData): string[][] {
  const rows: string[][] = [['section', 'data']];
  const add = (section: string, value: unknown) => rows.push([section, JSON.stringify(value)]);
  add('identity', data.identity);
  for (const { history, alerts, ...device } of data.devices) {
    add('device', device);
    history.forEach((entry) => add('device_history', entry));
    alerts.forEach((alert) => add('device_alert', alert));
  }
  data.confirmations.forEach((c) => add('confirmation', c));
  data.results.forEach((r) => add('result', r));
  data.corrections.forEach((c) => add('correction', c));
  data.spotChecks.forEach((c) => add('spot_check', c));
  data.scanAttempts.forEach((a) => add('scan_attempt', a));
  data.justifications.forEach((j) => add('justification', j));
  data.flags.forEach((f) => add('flag', f));
  data.accessLog.forEach((a) => add('access', a));
  return rows;
}
