import { localDateTime, wallClockAsUtc } from '../../../shared/local-time.js';
import type { Cell, Table } from '../domain/report.js';

const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';

/** A cell as text: instants in the table's time zone, to the second; numbers with the given decimal mark. */
function cellText(value: Cell, timeZone: string, decimalMark: '.' | ',' = '.'): string {
  if (value === null) return '';
  if (value instanceof Date) return localDateTime(value, timeZone, true);
  if (typeof value === 'number') return decimalMark === ',' ? String(value).replace('.', ',') : String(value);
  return String(value);
}

/**
 * CSV that Excel and LibreOffice open with accents intact: UTF-8 with a byte-order mark, CRLF line ends,
 * every field quoted where needed. Spanish-locale Excel (es-CL) expects `;` between fields and a decimal
 * comma (it reads `66.7` as text, or as 667), English-locale `,` and a decimal point: the decimal mark
 * follows the separator.
 */
export function toCsv(table: Table, separator: ';' | ','): Buffer {
  const decimalMark = separator === ';' ? ',' : '.';
  const special = separator === ';' ? /[";\r\n]/ : /[",\r\n]/;
  const field = (value: Cell) => {
    const text = cellText(value, table.timeZone, decimalMark);
    // A leading =, +, - or @ would run as a formula in a spreadsheet, and so may one behind a leading tab or
    // carriage return (OWASP, "CSV Injection"): quote it as text.
    const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
    return special.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  const lines = [table.header, ...table.rows].map((row) => row.map(field).join(separator));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

/** Column widths in characters, from the longest text of each column (header included), within bounds. */
export function columnWidths(table: Table): number[] {
  return table.header.map((title, column) => {
    const longest = Math.max(title.length, ...table.rows.map((row) => cellText(row[column] ?? null, table.timeZone).length));
    return Math.min(50, Math.max(10, longest + 2));
  });
}

/**
 * A workbook with one sheet: the title rows (course, teacher, period, minimum) above a bold header, the
 * header frozen below them and repeated on every printed page, explicit numeric widths (Excel shows a column
 * without one, or with NaN, at zero width), instants as real date cells holding the time zone's wall-clock
 * time, and a print setup for A4 landscape fitted to one page wide (as many pages tall as the rows need).
 */
export async function toXlsx(table: Table): Promise<Buffer> {
  // Loaded on the first export only: exceljs weighs about 20 MB that most instances never need.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Asistencia';
  const titles = table.titleRows ?? [];
  // The title rows, then an empty row, then the header.
  const headerRow = titles.length === 0 ? 1 : titles.length + 2;
  const sheet = workbook.addWorksheet(table.title.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31) || 'Asistencia', {
    views: [{ state: 'frozen', ySplit: headerRow, xSplit: 0 }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${headerRow}:${headerRow}`,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    },
  });
  sheet.columns = columnWidths(table).map((width) => ({ width }));
  titles.forEach((line, index) => {
    sheet.addRow([line]).font = index === 0 ? { bold: true, size: 13 } : {};
  });
  if (titles.length > 0) sheet.addRow([]);
  sheet.addRow(table.header).font = { bold: true };
  for (const row of table.rows) {
    const added = sheet.addRow(row.map((value) => (value instanceof Date ? wallClockAsUtc(value, table.timeZone) : value)));
    row.forEach((value, column) => {
      if (value instanceof Date) added.getCell(column + 1).numFmt = DATE_TIME_FORMAT;
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
