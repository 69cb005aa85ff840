import { describe, expect, test } from 'vitest';
import { toCsv } from './spreadsheets.js';

function csvCells(values: Array<string | number>): string[] {
  const text = toCsv({ title: 't', header: ['name'], rows: values.map((value) => [value]) }, ';').toString('utf8');
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
