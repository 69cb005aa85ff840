import type { Identity } from '../../auth/index.js';
import type { StudentData } from '../domain/student-data.js';

export interface StudentDataRepository {
  /** Null when the service holds nothing about the student. */
  gather(studentId: string): Promise<StudentData | null>;
  /** An admin's read of a student's data, recorded before the data is handed over. */
  auditRead(actor: Identity, studentId: string): Promise<void>;
  /**
   * Erases a student in one transaction: devices, their history and alerts, and receipts (tombstones) go;
   * registrations, confirmations, results and corrections move to `anonymousId`; the erasure is audited.
   * Returns false when the service held nothing about the student.
   */
  erase(actor: Identity, studentId: string, anonymousId: string, reason: string): Promise<boolean>;
}

export interface RetentionCounts {
  clientAddressesNulled: number;
  /** `shared_device` evidence (alerts and their history rows) whose networks were dropped. */
  sharingNetworksErased: number;
  receiptsPruned: number;
}

export interface RetentionRepository {
  /** Runs under one advisory lock; null (nothing done) when another instance holds it or ran less than a day ago. */
  runDaily(input: { now: Date; addressCutoff: Date; receiptCutoff: Date }): Promise<RetentionCounts | null>;
}
