import { describe, expect, test } from 'vitest';
import { attachmentTypeOf, justifyProblem } from './justification.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('a justification’s document type, by its first bytes', () => {
  test('PDF, PNG and JPEG are recognised', () => {
    expect(attachmentTypeOf(Buffer.from('%PDF-1.7\n...'))).toBe('application/pdf');
    expect(attachmentTypeOf(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0))).toBe('image/png');
    expect(attachmentTypeOf(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10))).toBe('image/jpeg');
  });

  test('anything else is refused, whatever it claims to be', () => {
    expect(attachmentTypeOf(Buffer.from('<html><script>alert(1)</script>'))).toBeNull();
    expect(attachmentTypeOf(Buffer.from('PK\x03\x04 a zip or an office file'))).toBeNull();
    expect(attachmentTypeOf(bytes(0x89, 0x50, 0x4e, 0x47))).toBeNull(); // a PNG cut short
    expect(attachmentTypeOf(bytes(0xff, 0xd8))).toBeNull();
    expect(attachmentTypeOf(bytes())).toBeNull();
    expect(attachmentTypeOf(Buffer.from('%PDF'))).toBeNull();
  });
});

describe('what a student may justify', () => {
  const day = 24 * 60 * 60_000;
  const now = new Date('2026-12-06T12:00:00Z');
  const ago = (days: number) => new Date(now.getTime() - days * day);
  test.each([
    ['an absence from a closed class, within the window', { status: 'absent', final: true, plannedStart: ago(2) }, null],
    ['a teacher’s “Ausente”', { status: 'manual_absent', final: true, plannedStart: ago(2) }, null],
    ['a class still running', { status: 'absent', final: false, plannedStart: ago(0) }, 'class_running'],
    ['a class attended', { status: 'present', final: true, plannedStart: ago(2) }, 'not_absent'],
    ['a class already justified', { status: 'excused', final: true, plannedStart: ago(2) }, 'not_absent'],
    ['a late arrival', { status: 'late', final: true, plannedStart: ago(2) }, 'not_absent'],
    ['an absence past the window', { status: 'absent', final: true, plannedStart: ago(15) }, 'too_late'],
  ] as const)('%s', (_name, result, expected) => {
    expect(justifyProblem(result, now, 14 * day)).toBe(expected);
  });
});
