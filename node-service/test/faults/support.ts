import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { scanner } from '../scan/support.js';
import { seedEnrolledPhones } from '../enrollment/seeded-phones.js';
import { freshStudent } from '../enrollment/support.js';
import { createTestDatabase, testKeyPrefix } from '../support/databases.js';
import { VALKEY_URL } from '../support/environment.js';
import type { Phone } from '../support/phone.js';
import { startService, TEST_JWT_SECRET, type RunningService } from '../support/service.js';
import { launchReady, type Launched } from '../startup/operator.js';

/** One public origin for every instance of a test, so a phone enrolled on one scans on any. */
const PUBLIC_URL = 'http://localhost:3000';

/**
 * Fault tests: an instance in this process (enrolment, teacher, projector, and the database the test
 * reads) and instances as their own processes (`tsx src/main.ts`) that the test may signal, all on one
 * fresh database and one key prefix, as behind Apache's balancer.
 */
export async function faultBench() {
  const database = await createTestDatabase();
  const prefix = testKeyPrefix();
  const helper = await startService({ database, env: { VALKEY_KEY_PREFIX: prefix, PUBLIC_URL } });
  const shared = { DATABASE_URL: database.url, VALKEY_URL, VALKEY_KEY_PREFIX: prefix, JWT_SECRET: TEST_JWT_SECRET, PUBLIC_URL };
  return {
    helper,
    /** Another instance as its own process, ready. */
    launch: (env: Record<string, string> = {}): Promise<Launched> => launchReady({ ...shared, ...env }),
    /** Test helpers that take a RunningService, pointed at another instance. */
    at: (baseUrl: string): RunningService => ({ ...helper, baseUrl }),
    async stop() {
      await helper.stop();
      await database.drop();
    },
  };
}

/**
 * `count` fresh students, each with an enrolled phone, seeded in one statement (what an enrolment writes, see
 * enrollment/seeded-phones.ts): these tests are about scanning through a fault, not about enrolling.
 */
export function enrolledCrowd(service: RunningService, count: number): Promise<Phone[]> {
  return seedEnrolledPhones(service, Array.from({ length: count }, () => freshStudent()));
}

export interface ScanOutcome {
  /** The step that answered last: the challenge when it was refused, else the confirmation. */
  step: 'challenge' | 'confirm';
  status: number;
  body: { outcome?: string; error?: { code: string; message: string } } | null;
  retryAfter: string | null;
  connection: string | null;
}

/** One student's scan, both steps, as the scan page does it; a request that gets no answer is `null`. */
export async function scanOnce(service: RunningService, token: string, phone: Phone): Promise<ScanOutcome | null> {
  const api = scanner(service);
  const outcome = (step: ScanOutcome['step'], answer: Awaited<ReturnType<typeof api.post>>): ScanOutcome => ({
    step,
    status: answer.status,
    body: answer.body,
    retryAfter: answer.headers.get('retry-after'),
    connection: answer.headers.get('connection'),
  });
  try {
    const offer = await api.challenge({ token }, phone);
    if (offer.status !== 200) return outcome('challenge', offer);
    const assertion = phone.assert(offer.body.options as PublicKeyCredentialRequestOptionsJSON);
    return outcome('confirm', await api.confirm(offer, assertion, phone));
  } catch {
    return null;
  }
}

export const toldConfirmed = (outcomes: readonly (ScanOutcome | null)[]) =>
  outcomes.filter((o) => o?.status === 200 && o.body?.outcome === 'confirmed').length;
