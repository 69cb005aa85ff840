/**
 * The role an LTI launch gives a person in Asistencia, from the roles claim (LTI Core 1.3, §5.3.7 and
 * Appendix A.2): context roles as full URIs, or the deprecated short forms some platforms still send.
 * Instructors (and teaching assistants) teach; learners study; any other role is not taken.
 */
const TEACHING = ['Instructor', 'TeachingAssistant', 'Instructor#TeachingAssistant'];
const LEARNING = ['Learner'];
const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
/** Context sub-roles (LTI Core 1.3, A.2.3.1): `…/membership/Instructor#TeachingAssistant` reads "Instructor#TeachingAssistant". */
const SUB_ROLE = 'http://purl.imsglobal.org/vocab/lis/v2/membership/';

function contextRole(uri: string): string | null {
  if (uri.startsWith(MEMBERSHIP)) return uri.slice(MEMBERSHIP.length);
  if (uri.startsWith(SUB_ROLE)) return uri.slice(SUB_ROLE.length);
  if (!uri.includes(':') && !uri.includes('/')) return uri;
  return null;
}

export type LtiRole = 'teacher' | 'student';

/** Teaching wins when a person has both roles (a teacher who also tries the course as a learner). */
export function roleFromLti(roles: readonly string[]): LtiRole | null {
  const names = roles.map(contextRole).filter((name): name is string => name !== null);
  if (names.some((name) => TEACHING.includes(name) || name.startsWith('Instructor#'))) return 'teacher';
  if (names.some((name) => LEARNING.includes(name) || name.startsWith('Learner#'))) return 'student';
  return null;
}

/** The role an NRPS member has in the course (the same rule; anyone else is listed as 'other'). */
export function memberRole(roles: readonly string[]): LtiRole | 'other' {
  return roleFromLti(roles) ?? 'other';
}
