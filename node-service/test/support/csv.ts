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

/**
 * Opens an XLSX in LibreOffice Calc (Debian's libreoffice-calc-nogui) and saves it as CSV (`;`, UTF-8),
 * as a teacher's spreadsheet program would show each cell: dates through their number format.
 */
export async function libreOfficeCsv(xlsx: Buffer): Promise<string[][]> {
  const { execFile } = await import('node:child_process');
  const { mkdtemp, readFile, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'asistencia-soffice-'));
  try {
    await writeFile(join(dir, 'export.xlsx'), xlsx);
    await new Promise<void>((resolve, reject) => {
      execFile(
        'soffice',
        [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):59,34,76', '--outdir', dir, join(dir, 'export.xlsx')],
        { timeout: 120_000 },
        (error) => (error ? reject(error) : resolve()),
      );
    });
    return parseCsv(`${(await readFile(join(dir, 'export.csv'), 'utf8')).replace(/\r?\n?$/, '')}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
