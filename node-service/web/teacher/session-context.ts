// What the panels of one session's page share (session-view.ts builds it): the session as last read, the
// busy flag that keeps two actions from overlapping, the outcome line, the viewer's rights in the course, and
// the page's render and refresh.
import type { CourseRight } from '../../src/shared/course-rights';
import type { ApiClient } from '../src/lib/api';
import type { Vars } from '../src/lib/i18n';
import type { Key, TeacherI18n } from './messages';
import type { Overview, ResultStatus } from './model';

/** The last outcome shown, kept as a key so that it follows a change of language. */
export interface Outcome {
  readonly key: Key;
  readonly vars?: Vars;
  readonly status?: ResultStatus;
  /** A series change says how many classes it kept because they already ran. */
  readonly kept?: number;
}

export interface SessionContext {
  readonly i18n: TeacherI18n;
  readonly api: ApiClient;
  /** The session's API path. */
  readonly path: string;
  readonly timeZone: string | undefined;
  /** Where outcomes and errors are said. */
  readonly message: HTMLElement;
  /** The page's heading: the focus lands there when nothing better remains. */
  readonly title: HTMLElement;
  /** The session and its roster as last read; undefined before the first read. */
  current(): Overview | undefined;
  /**
   * Whether the viewer has this right in the session's course (docs/architecture.md, "Course staff"): a panel
   * offers only what they may do (an assistant runs the class, nothing more); the API refuses the rest too.
   */
  can(right: CourseRight): boolean;
  /** True while an action runs: the others wait. */
  busy: boolean;
  /** Shows an outcome (and keeps it for a change of language); undefined forgets the last one. */
  announce(outcome: Outcome | undefined): void;
  render(): void;
  /** Reads the session again and renders it; rejects only when nothing was ever read. */
  refresh(): Promise<void>;
}

/** Refreshes, and lets a failure show as the page's "stale" line instead of an error. */
export const refreshQuietly = (page: SessionContext): void => void page.refresh().catch(() => undefined);
