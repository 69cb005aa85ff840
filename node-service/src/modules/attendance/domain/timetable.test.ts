import { describe, expect, it } from 'vitest';
import { calendarDateOf, readTimetable } from './timetable.js';

describe('a timetable read from CSV', () => {
  it('reads the dates Chilean spreadsheets write, and refuses days that do not exist', () => {
    expect(['2027-03-29', '29-03-2027', '29/03/2027', '1/4/2027'].map(calendarDateOf)).toEqual(['2027-03-29', '2027-03-29', '2027-03-29', '2027-04-01']);
    expect(['2027-02-29', '31-04-2027', '03/29/2027', '1999-12-31', 'mañana', ''].map(calendarDateOf)).toEqual([null, null, null, null, null, null]);
  });

  it('takes the delimiter from the header, drops a BOM and blank lines, and keeps quoted delimiters', () => {
    const semicolons = readTimetable('\uFEFFFecha;Inicio;Término;Sala\r\n29-03-2027;9:30;11:00;"Aula ""A""; piso 2"\r\n;;;\r\n', 10);
    expect(semicolons).toEqual({ rows: [{ row: 2, date: '2027-03-29', startTime: '09:30', endTime: '11:00', room: 'Aula "A"; piso 2' }], issues: [] });
    const commas = readTimetable('room,date,duration,start\nLab 1,2027-03-30,45,23:00\n', 10);
    expect(commas.rows).toEqual([{ row: 2, date: '2027-03-30', startTime: '23:00', endTime: '23:45', room: 'Lab 1' }]);
  });

  it('names every bad row by its number in the file, with each problem, in both languages', () => {
    const { rows, issues } = readTimetable('fecha;inicio;duracion;sala\n2027-03-29;09:30;90;A\n\n2027-03-29;23:30;60;A\n2027-03-29;25:00;x;\n"open;09:30;60;A\n', 10);
    expect(rows.map((r) => r.row)).toEqual([2]);
    expect(issues.map((i) => i.es)).toEqual([
      'Fila 4: la clase terminaría después de medianoche.',
      'Fila 5: la hora de inicio «25:00» no es válida (escribe HH:MM); falta la hora de término o una duración en minutos (se leyó «x»); falta la sala.',
      'Fila 6: unas comillas quedaron sin cerrar.',
    ]);
    expect(issues[0]!.en).toBe('Row 4: the class would end after midnight.');
  });

  it('refuses a header without the needed columns, an empty file, and more rows than allowed', () => {
    expect(readTimetable('fecha;sala\n2027-03-29;A\n', 10).issues[0]!.en).toBe(
      'Row 1: the header lacks columns: inicio/start, termino/end (o duracion/duration). The first row must be, for example, "date;start;end;room".',
    );
    expect(readTimetable('', 10).issues[0]!.row).toBe(1);
    expect(readTimetable('fecha;inicio;termino;sala\n', 10).issues[0]!.en).toBe('Row 2: there is no class below the header.');
    const three = 'fecha;inicio;termino;sala\n' + '2027-03-29;09:00;10:00;A\n'.repeat(3);
    expect(readTimetable(three, 3).issues).toEqual([]);
    expect(readTimetable(three, 2)).toEqual({ rows: [], issues: [expect.objectContaining({ row: 4, en: 'Row 4: the file holds 3 classes and the maximum is 2; split it into several.' })] });
  });
});
