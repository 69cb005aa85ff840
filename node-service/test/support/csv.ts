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
 * Runs Debian's LibreOffice headless on `input` (written as `name` in a fresh directory with its own
 * profile) with the filter arguments given, and answers the bytes of the file it wrote, `output`.
 */
async function libreOffice(input: Buffer, name: string, args: readonly string[], output: string): Promise<Buffer> {
  const { execFile } = await import('node:child_process');
  const { mkdtemp, readFile, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'asistencia-soffice-'));
  try {
    await writeFile(join(dir, name), input);
    await new Promise<void>((resolve, reject) => {
      execFile('soffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless', ...args, '--outdir', dir, join(dir, name)], { timeout: 120_000 }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
    return await readFile(join(dir, output));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Opens an XLSX in LibreOffice Calc (Debian's libreoffice-calc-nogui) and saves it as CSV (`;`, UTF-8),
 * as a teacher's spreadsheet program would show each cell: dates through their number format.
 */
export async function libreOfficeCsv(xlsx: Buffer): Promise<string[][]> {
  const csv = await libreOffice(xlsx, 'export.xlsx', ['--convert-to', 'csv:Text - txt - csv (StarCalc):59,34,76'], 'export.csv');
  return parseCsv(`${csv.toString('utf8').replace(/\r?\n?$/, '')}\n`);
}

/** LibreOffice's language ids for the CSV import filter: how it reads numbers and dates. */
const LOCALE_IDS = { 'es-CL': 13322, 'en-GB': 2057 } as const;

/**
 * Opens a CSV in LibreOffice Calc as a spreadsheet set to `locale` would (separator `;` for es-CL, `,` for
 * en-GB, UTF-8), saves it as XLSX and answers each cell's value as Calc understood it: a number stays a
 * number only if the locale read it as one.
 */
export async function libreOfficeOpensCsv(csv: Buffer, locale: keyof typeof LOCALE_IDS): Promise<unknown[][]> {
  const { default: ExcelJS } = await import('exceljs');
  const separator = locale === 'es-CL' ? 59 : 44;
  const xlsx = await libreOffice(csv, 'export.csv', [`--infilter=CSV:${separator},34,76,1,,${LOCALE_IDS[locale]}`, '--convert-to', 'xlsx'], 'export.xlsx');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  workbook.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

/**
 * Prints an XLSX as LibreOffice Calc would (its print setup: orientation, fit to page, print titles) to a
 * PDF and answers how many pages it took (poppler's pdfinfo is not installed: the PDF's own page objects,
 * `/Type /Page`, are counted) and the PDF itself.
 */
export async function libreOfficePrintedPages(xlsx: Buffer): Promise<{ pages: number; pdf: Buffer }> {
  const pdf = await libreOffice(xlsx, 'export.xlsx', ['--convert-to', 'pdf:calc_pdf_Export'], 'export.pdf');
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
  return { pages, pdf };
}
