import { afterAll, describe, expect, test, vi } from 'vitest';

// The catalogue is one per process, and unit files run one after another in a process that keeps its
// modules: this file declares its test codes in a copy of the module of its own, dropped when it ends, so
// they never reach the catalogue docs/api.md's list is made from (scripts/error-codes.test.ts).
vi.resetModules();
afterAll(() => vi.resetModules());
const { AppError, commonErrors, defineErrors, errorSpec, isAppError } = await import('./errors.js');

// Codes declared only by this test file.
const seatErrors = defineErrors({
  TEST_SEAT_TAKEN: {
    kind: 'conflict',
    es: 'El asiento {seat} del aula {room} ya está ocupado.',
    en: 'Seat {seat} in room {room} is already taken.',
  },
  TEST_ROUND_REPEATED: {
    kind: 'conflict',
    es: 'Ronda {round} de {round}.',
    en: 'Round {round} of {round}.',
  },
});

describe('error messages', () => {
  test('speak Spanish and English with the variables filled in', () => {
    const error = seatErrors.TEST_SEAT_TAKEN({ seat: 12, room: 'B-204' });
    expect(error.localized('es')).toBe('El asiento 12 del aula B-204 ya está ocupado.');
    expect(error.localized('en')).toBe('Seat 12 in room B-204 is already taken.');
  });

  test('fill every occurrence of a variable', () => {
    expect(seatErrors.TEST_ROUND_REPEATED({ round: 3 }).localized('en')).toBe('Round 3 of 3.');
  });

  test('keep a missing variable visible rather than printing "undefined"', () => {
    expect(seatErrors.TEST_SEAT_TAKEN({ seat: 4 }).localized('es')).toBe('El asiento 4 del aula {room} ya está ocupado.');
  });

  test('carry the stable code, the kind and the English text for the logs', () => {
    const error = seatErrors.TEST_SEAT_TAKEN({ seat: 1, room: 'A' });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'TEST_SEAT_TAKEN', kind: 'conflict' });
    expect(error.message).toBe('TEST_SEAT_TAKEN: Seat 1 in room A is already taken.');
  });

  test('the common codes read as a user expects', () => {
    expect(commonErrors.RATE_LIMITED({ seconds: 30 }).localized('es')).toBe(
      'Demasiadas solicitudes. Espera 30 segundos y vuelve a intentarlo.',
    );
    expect(commonErrors.SERVICE_UNAVAILABLE({ part: 'valkey' }).localized('en')).toBe(
      'The service is not available right now: valkey.',
    );
  });

  test('an undeclared code shows the code itself', () => {
    expect(new AppError('TEST_NEVER_DECLARED', 'internal').localized('es')).toBe('TEST_NEVER_DECLARED');
  });
});

describe('the catalogue', () => {
  test('refuses a code declared twice with different texts, naming it', () => {
    expect(() =>
      defineErrors({ TEST_SEAT_TAKEN: { kind: 'invalid', es: 'otro', en: 'other' } }),
    ).toThrow('Error code TEST_SEAT_TAKEN is declared twice');
  });

  test('knows every declared code', () => {
    expect(errorSpec('TEST_SEAT_TAKEN')?.kind).toBe('conflict');
    expect(errorSpec('TEST_NEVER_DECLARED')).toBeUndefined();
  });

  test('tells an AppError from any other error', () => {
    expect(isAppError(commonErrors.NOT_FOUND())).toBe(true);
    expect(isAppError(new Error('NOT_FOUND'))).toBe(false);
    expect(isAppError({ code: 'NOT_FOUND', kind: 'not_found' })).toBe(false);
  });
});
