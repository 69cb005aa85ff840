import { keystore } from '../../../shared/keystore.js';
import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import type { ChallengeStore } from '../application/ports.js';

/**
 * Enrolment challenges in Valkey. The pending challenge lives under a key bound to the student (one at a
 * time: asking again replaces it) and is consumed with an atomic GETDEL, so of two concurrent attempts
 * exactly one proceeds. Two side keys, living as long, only serve to say precisely why a challenge is
 * refused: whom it was issued to (and whether a newer one replaced it), and whether it was spent.
 */
interface Issued {
  studentId: string;
  superseded: boolean;
}

export function createChallengeStore(store: KeyValueStore, ttlMs: number, purpose: 'enroll' | 'rebind' | 'revoke' | 'add'): ChallengeStore {
  const issued = async (challenge: string): Promise<Issued | null> => {
    const value = await store.get(keystore.enrollmentChallengeOwner(purpose, challenge));
    return value === null ? null : (JSON.parse(value) as Issued);
  };
  const record = (challenge: string, value: Issued) =>
    store.set(keystore.enrollmentChallengeOwner(purpose, challenge), JSON.stringify(value), ttlMs);

  return {
    async issue(studentId, challenge) {
      const previous = await store.get(keystore.enrollmentChallenge(purpose, studentId));
      await record(challenge, { studentId, superseded: false });
      await store.set(keystore.enrollmentChallenge(purpose, studentId), challenge, ttlMs);
      if (previous !== null && previous !== challenge) await record(previous, { studentId, superseded: true });
    },

    async consume(studentId, challenge) {
      const pending = await store.take(keystore.enrollmentChallenge(purpose, studentId));
      // A taken challenge is spent, whatever the attempt it was taken for.
      if (pending !== null) await store.set(keystore.enrollmentChallengeUsed(purpose, pending), studentId, ttlMs);
      if (pending === challenge) return 'accepted';

      if ((await store.get(keystore.enrollmentChallengeUsed(purpose, challenge))) !== null) return 'already_used';
      const owner = await issued(challenge);
      if (owner === null) return 'expired';
      if (owner.studentId !== studentId) return 'not_yours';
      if (owner.superseded) return 'superseded';
      // Ours, current, not pending and not yet marked spent: a concurrent attempt has just taken it.
      return 'already_used';
    },
  };
}
