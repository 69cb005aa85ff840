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

type Section =
  | 'export'
  | 'identity'
  | 'device'
  | 'device_history'
  | 'device_alert'
  | 'confirmation'
  | 'result'
  | 'correction'
  | 'spot_check'
  | 'scan_attempt'
  | 'justification'
  | 'flag'
  | 'access';

const WORDS: Record<'es' | 'en', { header: string[]; sections: Record<Section, string> }> = {
  es: {
    header: ['sección', 'elemento', 'campo', 'valor'],
    sections: {
      export: 'exportación',
      identity: 'identidad',
      device: 'dispositivo',
      device_history: 'historial del dispositivo',
      device_alert: 'alerta del dispositivo',
      confirmation: 'confirmación',
      result: 'resultado',
      correction: 'corrección',
      spot_check: 'llamado al azar',
      scan_attempt: 'intento de escaneo',
      justification: 'justificación',
      flag: 'marca',
      access: 'acceso a tus datos',
    },
  },
  en: {
    header: ['section', 'item', 'field', 'value'],
    sections: {
      export: 'export',
      identity: 'identity',
      device: 'device',
      device_history: 'device history',
      device_alert: 'device alert',
      confirmation: 'confirmation',
      result: 'result',
      correction: 'correction',
      spot_check: 'random call',
      scan_attempt: 'scan attempt',
      justification: 'justification',
      flag: 'flag',
      access: 'access to your data',
    },
  },
};

/** An instant as JSON writes it: told in the institution's wall-clock time in the spreadsheet form. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * A student's data for a spreadsheet: one value per row (section, which one of that section, field, value),
 * nested fields named by their path (`receipt.evidence.round`), instants in `timeZone`'s wall-clock time
 * ("2027-03-15 10:02:13", which spreadsheets read as a date), the zone itself in the first rows, a decimal
 * comma in Spanish. Section
 * names and the header follow the reader's language; field names are the JSON form's, so both forms match.
 */
export function studentDataRows(data: StudentData, { locale, timeZone }: { locale: 'es' | 'en'; timeZone: string }): string[][] {
  const words = WORDS[locale];
  // sv-SE writes "2027-03-15 10:02:13": ISO order, a space, 24 h.
  const wallClock = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const text = (value: unknown): string => {
    if (value instanceof Date) return wallClock.format(value);
    if (typeof value === 'string' && ISO_INSTANT.test(value)) return wallClock.format(new Date(value));
    // Spanish writes a decimal comma (the CSV's separator is then ';').
    if (typeof value === 'number') return locale === 'es' ? String(value).replace('.', ',') : String(value);
    return value === null || value === undefined ? '' : String(value);
  };
  const fields = (value: unknown, path: string): Array<[string, string]> => {
    if (Array.isArray(value)) return value.length === 0 ? [[path, '']] : value.flatMap((entry, i) => fields(entry, `${path}[${i + 1}]`));
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      const entries = Object.entries(value);
      return entries.length === 0 ? [[path, '']] : entries.flatMap(([key, entry]) => fields(entry, path ? `${path}.${key}` : key));
    }
    return [[path, text(value)]];
  };
  const rows: string[][] = [words.header];
  const add = (section: Section, items: readonly unknown[]) =>
    items.forEach((item, i) => {
      for (const [field, value] of fields(item, '')) rows.push([words.sections[section], String(i + 1), field, value]);
    });
  add('export', [{ generatedAt: data.generatedAt, timeZone }]);
  add('identity', [data.identity]);
  data.devices.forEach(({ history, alerts, ...device }, i) => {
    const number = String(i + 1);
    for (const [field, value] of fields(device, '')) rows.push([words.sections.device, number, field, value]);
    // A device's history and alerts are numbered under it: "2.3" is the third entry of device 2.
    const under = (section: Section, entries: readonly unknown[]) =>
      entries.forEach((entry, j) => fields(entry, '').forEach(([field, value]) => rows.push([words.sections[section], `${number}.${j + 1}`, field, value])));
    under('device_history', history);
    under('device_alert', alerts);
  });
  add('confirmation', data.confirmations);
  add('result', data.results);
  add('correction', data.corrections);
  add('spot_check', data.spotChecks);
  add('scan_attempt', data.scanAttempts);
  add('justification', data.justifications);
  add('flag', data.flags);
  add('access', data.accessLog);
  return rows;
}
