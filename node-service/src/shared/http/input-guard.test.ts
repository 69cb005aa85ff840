import { describe, expect, test } from 'vitest';
import { ANY_CONTROL as ANY, controlCharacterAt } from './input-guard.js';

describe('finding a control character in parsed input', () => {
  test('names the path of the value or key that holds it', () => {
    expect(controlCharacterAt('body', { a: [{ b: 'ok' }, { c: 'x\u0000' }] }, ANY, ANY)).toBe('body/a/1/c');
    expect(controlCharacterAt('body', { 'k\u0001': 1 }, ANY, ANY)).toBe('body');
    expect(controlCharacterAt('querystring', { studentId: 'Ñandú 2' }, ANY, ANY)).toBeNull();
    expect(controlCharacterAt('body', 'text/plain\u0000body', ANY, ANY)).toBe('body');
    expect(controlCharacterAt('body', null, ANY, ANY)).toBeNull();
  });

  test('walks a deeply nested body without exhausting the stack', () => {
    let nested: unknown = 'bottom\u0000';
    for (let depth = 0; depth < 200_000; depth += 1) nested = [nested];
    expect(controlCharacterAt('body', nested, ANY, ANY)).toMatch(/^body(\/0){200000}$/);
  });
});
