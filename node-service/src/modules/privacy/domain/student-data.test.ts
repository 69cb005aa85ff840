import { describe, expect, it } from 'vitest';
import { studentDataRows, type StudentData } from './student-data.js';

const data: StudentData = {
  generatedAt: '2027-03-15T13:02:13.456Z',
  identity: { studentId: '2', namesOnRosters: ['Luis Pérez'] },
  devices: [
    {
      id: 7,
      createdAt: new Date('2027-03-01T12:00:00Z'),
      history: [{ action: 'enrolled' }, { action: 'rebound' }],
      alerts: [{ kind: 'shared_device' }],
    },
  ],
  confirmations: [{ sessionId: 's1', round: 1, receipt: { evidence: { round: 1, signature: 'abc' } } }],
  results: [{ sessionId: 's1', status: 'present', ratio: 0.5 }],
  corrections: [],
  spotChecks: [],
  scanAttempts: [],
  justifications: [],
  flags: [],
  accessLog: [],
};

describe('a student’s data as spreadsheet rows', () => {
  const es = studentDataRows(data, { locale: 'es', timeZone: 'America/Santiago' });

  it('has one value per row, in the reader’s language, the zone first', () => {
    expect(es[0]).toEqual(['sección', 'elemento', 'campo', 'valor']);
    expect(es).toContainEqual(['exportación', '1', 'timeZone', 'America/Santiago']);
    expect(es).toContainEqual(['identidad', '1', 'namesOnRosters[1]', 'Luis Pérez']);
    expect(studentDataRows(data, { locale: 'en', timeZone: 'UTC' })[0]).toEqual(['section', 'item', 'field', 'value']);
  });

  it('tells instants, written or held as dates, in the institution’s wall-clock time', () => {
    // 13:02 UTC is 10:02 in Santiago in March (summer time, UTC−3).
    expect(es).toContainEqual(['exportación', '1', 'generatedAt', '2027-03-15 10:02:13']);
    expect(es).toContainEqual(['dispositivo', '1', 'createdAt', '2027-03-01 09:00:00']);
    expect(studentDataRows(data, { locale: 'en', timeZone: 'UTC' })).toContainEqual(['export', '1', 'generatedAt', '2027-03-15 13:02:13']);
  });

  it('names nested fields by their path, numbers a device’s history under it, and writes a decimal comma in Spanish', () => {
    expect(es).toContainEqual(['confirmación', '1', 'receipt.evidence.signature', 'abc']);
    expect(es).toContainEqual(['historial del dispositivo', '1.2', 'action', 'rebound']);
    expect(es).toContainEqual(['alerta del dispositivo', '1.1', 'kind', 'shared_device']);
    expect(es).toContainEqual(['resultado', '1', 'ratio', '0,5']);
    expect(studentDataRows(data, { locale: 'en', timeZone: 'UTC' })).toContainEqual(['result', '1', 'ratio', '0.5']);
    expect(es.some(([, , , value]) => value?.startsWith('{'))).toBe(false);
  });
});
