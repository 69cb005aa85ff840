import { describe, expect, it } from 'vitest';
import { memberRole, roleFromLti } from './roles.js';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';

describe('the role an LTI launch gives', () => {
  it('makes instructors and teaching assistants teachers, learners students', () => {
    expect(roleFromLti([`${M}Instructor`])).toBe('teacher');
    expect(roleFromLti([`${M}Instructor#TeachingAssistant`])).toBe('teacher');
    // The sub-role as LTI Core 1.3 (A.2.3.1) spells it, alone, as a platform may send a teaching assistant's.
    expect(roleFromLti(['http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant'])).toBe('teacher');
    expect(roleFromLti(['http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#Learner'])).toBe('student');
    expect(roleFromLti([`${M}Learner`])).toBe('student');
    expect(roleFromLti(['Learner'])).toBe('student');
  });

  it('lets teaching win over learning', () => {
    expect(roleFromLti([`${M}Learner`, `${M}Instructor`])).toBe('teacher');
  });

  it('takes no other role, nor institution or system roles', () => {
    expect(roleFromLti([`${M}Mentor`])).toBeNull();
    expect(roleFromLti(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor'])).toBeNull();
    expect(roleFromLti([])).toBeNull();
    expect(memberRole([`${M}ContentDeveloper`])).toBe('other');
  });
});
