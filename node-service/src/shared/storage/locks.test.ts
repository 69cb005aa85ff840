import { describe, expect, it } from 'vitest';
import { keySql, locks, lockStatement } from './locks.js';

// The keys earlier releases took, text and hash. A key changed by mistake would let an instance of the
// previous release and one of this release hold "the same" lock at once during an upgrade.
describe('advisory-lock keys', () => {
  it('are the texts and hashes earlier releases used', () => {
    const id = '0B9C2F4E-8D3A-4C1B-9E6F-2A7D5C3B1E90';
    expect(Object.fromEntries(Object.entries(locks).map(([name, lock]) => [name, lock.hash]))).toEqual({
      migrations: 'hashtext',
      session: 'hashtextextended',
      courseMinimum: 'hashtextextended',
      student: 'hashtext',
      phoneKey: 'hashtext',
      retention: 'hashtext',
      mail: 'hashtext',
      seal: 'hashtext',
    });
    expect([locks.migrations.key(), locks.retention.key(), locks.mail.key(), locks.seal.key()]).toEqual([
      'asistencia.migrations',
      'asistencia.privacy:retention',
      'asistencia.notifications:mail',
      'asistencia.evidence:seal',
    ]);
    expect([locks.courseMinimum.key('X'), locks.student.key('X'), locks.phoneKey.key('X')]).toEqual([
      'attendance.course-minimum:X',
      'asistencia.enrollment:X',
      'asistencia.phone-key:X',
    ]);
    expect(locks.session.key(id)).toBe(`attendance.session:${id.toLowerCase()}`);
    expect(keySql(locks.student)).toBe('hashtext($1)');
    expect(keySql(locks.session)).toBe('hashtextextended($1, 0)');
  });

  it('inlines only keys made of safe characters', () => {
    expect(lockStatement(locks.session, 'ABC-1')).toBe(`SELECT pg_advisory_xact_lock(hashtextextended('attendance.session:abc-1', 0))`);
    expect(() => lockStatement(locks.student, "x'); DROP TABLE t; --")).toThrow('unsafe advisory lock key');
    expect(() => lockStatement(locks.student, '')).not.toThrow();
  });
});
