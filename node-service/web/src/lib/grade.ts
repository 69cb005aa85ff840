import type { AttendanceApi } from './responses';

/**
 * A course's grade policy and a student's grade under it, as the service answers them (attendance/domain/
 * grade-policy.ts; docs/api.md, "Grade policies"). Every page that shows a grade names its policy beside it.
 */
export type GradePolicy = AttendanceApi.GradePolicyJson;
export type Grade = AttendanceApi.GradeJson;

/** The policy's name in the page's language. */
export function policyName(policy: GradePolicy, lang: string): string {
  return lang === 'en' ? policy.name.en : policy.name.es;
}
