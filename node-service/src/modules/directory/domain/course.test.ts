import { describe, expect, it } from 'vitest';
import { foldText, studentMatch } from './course.js';

describe('looking a student up', () => {
  const luis = { id: '2', name: 'Luis Pérez', username: 'luis.estudiante' };

  it('folds accents and case', () => {
    expect(foldText('PÉREZ Núñez Ça')).toBe('perez nunez ca');
  });

  it('matches every word in any order, the id and the username exactly, and nothing else', () => {
    expect(studentMatch(luis, 'Luis Perez')).toBe('words');
    expect(studentMatch(luis, 'perez   LUIS')).toBe('words');
    expect(studentMatch(luis, 'estudiante')).toBe('words');
    expect(studentMatch(luis, '2')).toBe('exact');
    expect(studentMatch(luis, 'luis.estudiante')).toBe('exact');
    expect(studentMatch(luis, 'Luis Gómez')).toBeNull();
    expect(studentMatch(luis, '   ')).toBeNull();
  });
});
