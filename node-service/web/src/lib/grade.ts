/**
 * A course's grade policy and a student's grade under it, as the service answers them (attendance/domain/
 * grade-policy.ts; docs/api.md, "Grade policies"). Every page that shows a grade names its policy beside it.
 */
export interface GradePolicy {
  readonly basis: 'to_date' | 'all_scheduled';
  readonly dropLowest: number;
  readonly points: { readonly late: number; readonly partial: number };
  readonly absencePenalty: number;
  readonly source: 'course' | 'default';
  /** The policy in words, in each language: "a la fecha, sin descartar". */
  readonly name: { readonly es: string; readonly en: string };
}

export interface Grade {
  /** A share 0..1; null with nothing to grade yet. */
  readonly score: number | null;
  readonly earned: number;
  readonly over: number;
  readonly dropped: number;
  readonly penalised: number;
  readonly passes: boolean | null;
}

/** The policy's name in the page's language. */
export function policyName(policy: GradePolicy, lang: string): string {
  return lang === 'en' ? policy.name.en : policy.name.es;
}
