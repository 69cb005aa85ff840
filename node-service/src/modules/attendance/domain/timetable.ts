/**
 * A timetable a teacher pastes or uploads as CSV, one class per row (docs/api.md, "Importing a timetable"):
 *
 *     fecha;inicio;termino;sala          (or: date,start,end,room; "duracion"/"duration" in minutes instead of the end)
 *     29-03-2027;09:30;11:00;Aula 305
 *
 * `;` or `,` between fields (the header line says which), an optional UTF-8 BOM and CRLF line ends, as
 * Excel in es-CL writes them; fields may be quoted ("Sala 1, edificio B"). Dates `YYYY-MM-DD`, `DD-MM-YYYY`
 * or `DD/MM/YYYY`; times `HH:MM` (or `H:MM`). Pure: every problem is named by its row (the header is row 1,
 * as a spreadsheet numbers them), in Spanish and English, and nothing is imported while one remains.
 */

export interface TimetableRow {
  /** The row's number in the file (the header is row 1). */
  row: number;
  date: string;
  startTime: string;
  endTime: string;
  room: string;
}

export interface RowIssue {
  row: number;
  es: string;
  en: string;
}

type Column = 'date' | 'start' | 'end' | 'duration' | 'room';

const HEADER_NAMES: Readonly<Record<string, Column>> = {
  fecha: 'date',
  date: 'date',
  inicio: 'start',
  start: 'start',
  termino: 'end',
  fin: 'end',
  end: 'end',
  duracion: 'duration',
  duration: 'duration',
  sala: 'room',
  room: 'room',
};

const MAX_ROOM = 80;
const MAX_MINUTES = 24 * 60;

const issue = (row: number, es: string, en: string): RowIssue => ({ row, es: `Fila ${row}: ${es}`, en: `Row ${row}: ${en}` });

/** Splits one line into fields: the delimiter outside quotes, `""` inside quotes is one quote. */
function fields(line: string, delimiter: string): string[] | null {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (char === delimiter) {
      out.push(field.trim());
      field = '';
    } else field += char;
  }
  if (quoted) return null;
  out.push(field.trim());
  return out;
}

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();

/** `YYYY-MM-DD` of a date written as `YYYY-MM-DD`, `DD-MM-YYYY` or `DD/MM/YYYY`, if it exists. */
export function calendarDateOf(text: string): string | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const chilean = /^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$/.exec(text);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : chilean ? [chilean[3], chilean[2], chilean[1]] : [];
  if (!year || !month || !day) return null;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (Number(year) < 2000 || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return null;
  return date.toISOString().slice(0, 10);
}

const timeOf = (text: string): string | null => {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) return null;
  return `${match[1]!.padStart(2, '0')}:${match[2]}`;
};
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const timeAt = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

type Header = { columns: Partial<Record<Column, number>> } | { issue: RowIssue };

function readHeader(cells: string[]): Header {
  const columns: Partial<Record<Column, number>> = {};
  cells.forEach((cell, index) => {
    const column = HEADER_NAMES[fold(cell)];
    if (column && columns[column] === undefined) columns[column] = index;
  });
  const missing = [
    columns.date === undefined ? 'fecha/date' : null,
    columns.start === undefined ? 'inicio/start' : null,
    columns.end === undefined && columns.duration === undefined ? 'termino/end (o duracion/duration)' : null,
    columns.room === undefined ? 'sala/room' : null,
  ].filter((name) => name !== null);
  if (missing.length > 0) {
    const list = missing.join(', ');
    return {
      issue: issue(1, `a la cabecera le faltan columnas: ${list}. La primera fila debe ser, por ejemplo, «fecha;inicio;termino;sala».`,
        `the header lacks columns: ${list}. The first row must be, for example, "date;start;end;room".`),
    };
  }
  return { columns };
}

/** One data row read, or what is wrong with it (every problem of the row, in one message). */
function readRow(row: number, cells: string[], columns: Partial<Record<Column, number>>): TimetableRow | RowIssue {
  const cell = (column: Column) => (columns[column] === undefined ? '' : (cells[columns[column]!] ?? ''));
  const es: string[] = [];
  const en: string[] = [];
  const date = calendarDateOf(cell('date'));
  if (!date) {
    es.push(`la fecha «${cell('date')}» no es válida (escribe AAAA-MM-DD o DD-MM-AAAA)`);
    en.push(`the date "${cell('date')}" is not valid (write YYYY-MM-DD or DD-MM-YYYY)`);
  }
  const startTime = timeOf(cell('start'));
  if (!startTime) {
    es.push(`la hora de inicio «${cell('start')}» no es válida (escribe HH:MM)`);
    en.push(`the start time "${cell('start')}" is not valid (write HH:MM)`);
  }
  let endTime: string | null = null;
  if (columns.end !== undefined && cell('end') !== '') {
    endTime = timeOf(cell('end'));
    if (!endTime) {
      es.push(`la hora de término «${cell('end')}» no es válida (escribe HH:MM)`);
      en.push(`the end time "${cell('end')}" is not valid (write HH:MM)`);
    }
  } else {
    const minutes = /^\d{1,4}$/.test(cell('duration')) ? Number(cell('duration')) : NaN;
    if (!(minutes > 0 && minutes < MAX_MINUTES)) {
      es.push(`falta la hora de término o una duración en minutos (se leyó «${cell('duration')}»)`);
      en.push(`the end time or a duration in minutes is missing (read "${cell('duration')}")`);
    } else if (startTime) endTime = minutesOf(startTime) + minutes < MAX_MINUTES ? timeAt(minutesOf(startTime) + minutes) : null;
    if (startTime && minutes > 0 && endTime === null) {
      es.push('la clase terminaría después de medianoche');
      en.push('the class would end after midnight');
    }
  }
  if (startTime && endTime && minutesOf(endTime) <= minutesOf(startTime)) {
    es.push(`la hora de término (${endTime}) debe ser posterior a la de inicio (${startTime})`);
    en.push(`the end time (${endTime}) must be after the start time (${startTime})`);
  }
  const room = cell('room');
  if (room === '') {
    es.push('falta la sala');
    en.push('the room is missing');
  } else if (room.length > MAX_ROOM) {
    es.push(`la sala tiene más de ${MAX_ROOM} caracteres`);
    en.push(`the room is longer than ${MAX_ROOM} characters`);
  }
  if (es.length > 0 || !date || !startTime || !endTime) return issue(row, `${es.join('; ')}.`, `${en.join('; ')}.`);
  return { row, date, startTime, endTime, room };
}

/** The rows of a timetable, or every row's problem; at most `maxRows` classes (empty lines are not rows). */
export function readTimetable(text: string, maxRows: number): { rows: TimetableRow[]; issues: RowIssue[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const headerLine = lines[0] ?? '';
  if (headerLine.trim() === '') {
    return { rows: [], issues: [issue(1, 'el archivo está vacío o su primera fila no es la cabecera.', 'the file is empty or its first row is not the header.')] };
  }
  const delimiter = headerLine.includes(';') ? ';' : ',';
  const header = readHeader(fields(headerLine, delimiter) ?? []);
  if ('issue' in header) return { rows: [], issues: [header.issue] };

  const rows: TimetableRow[] = [];
  const issues: RowIssue[] = [];
  const data = lines.slice(1).map((line, i) => ({ row: i + 2, line })).filter(({ line }) => line.trim() !== '' && line.replaceAll(delimiter, '').trim() !== '');
  if (data.length === 0) issues.push(issue(2, 'no hay ninguna clase bajo la cabecera.', 'there is no class below the header.'));
  if (data.length > maxRows) {
    return { rows: [], issues: [issue(data[maxRows]!.row, `el archivo tiene ${data.length} clases y el máximo es ${maxRows}; divídelo en varios.`, `the file holds ${data.length} classes and the maximum is ${maxRows}; split it into several.`)] };
  }
  for (const { row, line } of data) {
    const cells = fields(line, delimiter);
    const read = cells ? readRow(row, cells, header.columns) : issue(row, 'unas comillas quedaron sin cerrar.', 'a quote is left open.');
    if ('es' in read) issues.push(read);
    else rows.push(read);
  }
  return { rows, issues };
}
