import ExcelJS from 'exceljs';
import { describe, expect, test } from 'vitest';
import type { Cell } from '../domain/report.js';
import { columnWidths, toCsv, toXlsx } from './spreadsheets.js';

const table = (rows: Cell[][], header = ['name']) => ({ title: 't', timeZone: 'America/Santiago', header, rows });

function csvCells(values: Cell[]): string[] {
  const text = toCsv(table(values.map((value) => [value])), ';').toString('utf8');
  return text.slice(1).split('\r\n').slice(1, -1);
}

describe('CSV cells a spreadsheet could run as formulas', () => {
  // Without the leading apostrophe a spreadsheet evaluates these; TAB and CR were exported raw before.
  test.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1+1', "'+1+1"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
  ])('%j is exported as text', (name, cell) => {
    expect(csvCells([name])).toEqual([cell]);
  });

  test('ordinary names and numbers are untouched', () => {
    expect(csvCells(['María Gómez', 'Ana-Luisa', -2, 3])).toEqual(['María Gómez', 'Ana-Luisa', '-2', '3']);
  });
});

describe('numbers for Chile', () => {
  test('the `;` CSV writes a decimal comma (es-CL), unquoted; the `,` CSV a decimal point', () => {
    expect(toCsv(table([['Pérez, Luis', 66.7]], ['a', 'b']), ';').toString('utf8').slice(1).split('\r\n')[1]).toBe('Pérez, Luis;66,7');
    expect(toCsv(table([['Pérez, Luis', 66.7]], ['a', 'b']), ',').toString('utf8').slice(1).split('\r\n')[1]).toBe('"Pérez, Luis",66.7');
  });
});

describe('instants', () => {
  const scan = new Date('2026-11-27T12:38:05Z'); // 09:38:05 in Santiago

  test('a CSV shows the time zone’s wall-clock time', () => {
    expect(csvCells([scan])).toEqual(['2026-11-27 09:38:05']);
  });

  test('an XLSX holds a real date cell with that wall-clock time and a date format', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await toXlsx(table([[scan]], ['at']))) as unknown as ArrayBuffer);
    const cell = workbook.worksheets[0]!.getCell('A2');
    expect(cell.type).toBe(ExcelJS.ValueType.Date);
    expect((cell.value as Date).toISOString()).toBe('2026-11-27T09:38:05.000Z');
    expect(cell.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
  });
});

describe('XLSX layout', () => {
  test('every column has a finite width fitting its longest text, header frozen', async () => {
    const t = table([['Luis Pérez', 3, null], ['María José Gómez Soto', 12, new Date()]], ['Nombre', 'Rondas', 'Primera confirmación']);
    expect(columnWidths(t)).toEqual([23, 10, 22]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await toXlsx(t)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect([1, 2, 3].map((n) => sheet.getColumn(n).width)).toEqual([23, 10, 22]);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).font?.bold).toBe(true);
  });
});
