/** One message for the SMTP server. */
interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Hands messages to the SMTP server; throws when it does not accept one (down, slow, refused). */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
}

type MailKind = 'student_at_risk' | 'teacher_digest';

export interface SentKey {
  kind: MailKind;
  recipientId: string;
  courseId: string;
  period: string;
}

/** What was sent and which runs finished (notifications.sent_mail, notifications.job_runs). */
export interface MailLedger {
  /**
   * Runs `work` while holding the mail job's advisory lock; null, without running it, when another instance
   * holds it.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T | null>;
  /** The courses that held a class (an open or closed session) planned since `since`: the ones worth writing about. */
  coursesWithClasses(since: Date): Promise<string[]>;
  wasSent(key: SentKey): Promise<boolean>;
  /** Remembers a message the SMTP server accepted (committed at once, whatever happens next). */
  recordSent(key: SentKey, at: Date): Promise<void>;
  /** When the job last finished a run for `period`; null when never. */
  lastRun(job: string, period: string): Promise<Date | null>;
  recordRun(job: string, period: string, at: Date, counts: object): Promise<void>;
}
