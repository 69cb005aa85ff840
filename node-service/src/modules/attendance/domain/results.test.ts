import { describe, expect, it } from 'vitest';
import { attendanceRate } from './results.js';

describe('attendanceRate', () => {
  it('counts attended sessions over the sessions that count, leaving excused ones out', () => {
    expect(attendanceRate(['present', 'partial', 'late', 'absent'])).toBe(0.75);
    expect(attendanceRate(['present', 'excused', 'absent'])).toBe(0.5);
    expect(attendanceRate(['manual_present', 'absent'])).toBe(0.5);
    // A confirmation the teacher took away (a spot check nobody answered) is an absence.
    expect(attendanceRate(['present', 'manual_absent'])).toBe(0.5);
    expect(attendanceRate(['excused'])).toBeNull();
    expect(attendanceRate([])).toBeNull();
  });
});
