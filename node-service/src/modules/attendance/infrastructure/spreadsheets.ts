import type { Table } from '../domain/report.js';

/**
 * CSV that Excel and LibreOffice open with accents intact: UTF-8 with a byte-order mark, CRLF line ends,
 * every field quoted where needed. Spanish-locale Excel expects `;` between fields, English-locale `,`.
 */
export function toCsv(table: Table, separator: ';' | ','): Buffer {
  const field = (value: string | number | null) => {
    if (value === null) return '';
    const text = String(value);
    // A leading =, +, - or @ would run as a formula in a spreadsheet, and so may one behind a leading tab or
    // carriage return (OWASP, "CSV Injection"): quote it as text.
    const safe = /^[=+\-@\t\r]/.test(text) && typeof value !== 'number' ? `'${text}` : text;
    return /[";,\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  const lines = [table.header, ...table.rows].map((row) => row.map(field).join(separator));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

export async function toXlsx(table: Table): Promise<Buffer> {
  // Loaded on the first export only: exceljs weighs about 20 MB that most instances never need.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Asistencia';
  const sheet = workbook.addWorksheet(table.title.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Asistencia');
  sheet.addRow(table.header).font = { bold: true };
  for (const row of table.rows) sheet.addRow(row);
  sheet.columns.forEach((column) => {
    column.width = Math.min(40, Math.max(12, ...(column.values ?? []).map((v) => String(v ?? '').length + 2)));
  });
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
