/** Reading back the exports as a spreadsheet program would. */

/** A CSV (`;`-separated for the Spanish locale, CRLF) as rows of fields, with quoting undone. */
export function parseCsv(text: string, separator = ';'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== separator && c !== '\r' && c !== '\n')) {
      field += c;
    } else if (c === separator) {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
    }
  }
  return rows;
}
