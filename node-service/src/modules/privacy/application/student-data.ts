import { ERASED_ID_PREFIX } from '../../../shared/ids.js';
import { randomUUID } from 'node:crypto';
import type { Identity } from '../../auth/index.js';
import { privacyErrors } from '../domain/errors.js';
import type { StudentData } from '../domain/student-data.js';
import type { StudentDataRepository } from './ports.js';

/**
 * The rights of access, portability and erasure. A student reads their own data (the id from the verified
 * token); an admin reads anyone's, and every such read is audited before the data leaves. Erasure is for
 * admins, with a reason, and leaves the counts behind under an anonymous id.
 */
export function createStudentDataService(deps: {
  data: StudentDataRepository;
  /** Chains pending receipts first, so that an export or erasure sees every receipt sealed. */
  sealPending(): Promise<unknown>;
}) {
  return {
    async own(student: Identity): Promise<StudentData> {
      await deps.sealPending();
      return (await deps.data.gather(student.id)) ?? emptyData(student.id);
    },
    async ofStudent(admin: Identity, studentId: string): Promise<StudentData> {
      await deps.data.auditRead(admin, studentId);
      await deps.sealPending();
      const data = await deps.data.gather(studentId);
      if (!data) throw privacyErrors.PRIVACY_STUDENT_UNKNOWN();
      return data;
    },
    async erase(admin: Identity, studentId: string, reason: string): Promise<{ anonymousId: string }> {
      await deps.sealPending();
      const anonymousId = `${ERASED_ID_PREFIX}${randomUUID()}`;
      if (!(await deps.data.erase(admin, studentId, anonymousId, reason))) throw privacyErrors.PRIVACY_STUDENT_UNKNOWN();
      return { anonymousId };
    },
  };
}

function emptyData(studentId: string): StudentData {
  return {
    generatedAt: new Date().toISOString(),
    identity: { studentId, namesOnRosters: [] },
    devices: [],
    confirmations: [],
    results: [],
    corrections: [],
    spotChecks: [],
    scanAttempts: [],
    justifications: [],
    flags: [],
    accessLog: [],
  };
}

export type StudentDataService = ReturnType<typeof createStudentDataService>;
