import { openSocket } from '../../test/support/ws-client.js';
import { portalToken, users } from '../../test/support/tokens.js';
import { startChild, type Teardown } from '../support/lifecycle.js';
import { PUBLIC_ORIGIN } from '../support/service.js';
import { distribution, sleep, within } from '../support/stats.js';
import { runningSessions } from '../projector/index.js';
import type { handlers, ScanRecord } from './client.js';

/**
 * A classroom of the bench course: load processes whose students each enrolled a phone through the API,
 * rounds to scan (a session with its projector, which shows the live code), and bursts of scans.
 */
export const COURSE_ID = 'BENCH';
/** The longest rotation allowed by default: one live code covers a whole burst. */
const ROTATION_PERIOD_MS = 30_000;

/** `processes` load processes, each with a contiguous block of the students (its `share` of the indexes), every phone enrolled. */
export async function enrollClassroom(baseUrl: string, students: number, processes: number, teardown: Teardown) {
  const clients = Array.from({ length: processes }, () => startChild<typeof handlers>(new URL('./client.ts', import.meta.url), 'a load client', teardown));
  const from = (p: number) => Math.floor((p * students) / processes);
  const shares = clients.map((_, p) => Array.from({ length: from(p + 1) - from(p) }, (_, i) => from(p) + i));
  const started = performance.now();
  const answers = await Promise.all(
    clients.map((client, c) => {
      const students = shares[c]!;
      return within(120_000 + students.length * 200, 'enrolling passkeys', client.call('enroll', { baseUrl, origin: PUBLIC_ORIGIN, students, concurrency: 16 }));
    }),
  );
  const failed = answers.reduce((sum, a) => sum + a.failed, 0);
  if (failed > 0) throw new Error(`enrolment failed for ${failed} students: ${answers.flatMap((a) => a.failures).slice(0, 5).join('; ')}`);
  return { clients, shares, enrollSeconds: (performance.now() - started) / 1000 };
}
export type Classroom = Awaited<ReturnType<typeof enrollClassroom>>;

/** One student's scan: the instance of each step, and when it starts after the burst's start (ms; 0 for all at once). */
export type PlannedScan = { index: number; challengeBase: string; confirmBase: string; offsetMs: number };

/**
 * Which instance each student's two steps go to, and when each starts. With two instances the students are
 * spread over the four ways (A→A, B→A, A→B, B→B): half confirm on the instance that did not issue their
 * challenge. Over an arrival window the starts are evenly spaced, taking the load processes in turn.
 */
export function planScans(classroom: Classroom, bases: string[], arrivalMs: number): PlannedScan[] {
  const students = classroom.shares.reduce((sum, share) => sum + share.length, 0);
  const plan: PlannedScan[] = [];
  for (const [p, share] of classroom.shares.entries()) {
    for (const [j, index] of share.entries()) {
      const offsetMs = Math.round(((j * classroom.shares.length + p) * arrivalMs) / students);
      plan[index] = { index, challengeBase: bases[index % bases.length]!, confirmBase: bases[Math.floor(index / bases.length) % bases.length]!, offsetMs };
    }
  }
  return plan;
}

/** A fresh round of the bench course (each student scans once per round), and its projector. */
export async function openRound(baseUrl: string) {
  const [sessionId] = await runningSessions(baseUrl, 1, COURSE_ID, ROTATION_PERIOD_MS);
  const projector = await openSocket(`${baseUrl.replace('http:', 'ws:')}/asistencia/ws`);
  projector.send({ type: 'auth', token: await portalToken(users.teacher) });
  await projector.next('auth.ok');
  projector.send({ type: 'projector.subscribe', sessionId });
  const frames: Array<Record<string, unknown>> = [await projector.next('qr', 10_000)];
  return {
    sessionId: sessionId!,
    /** The code on screen: frames arrive during the slot before their own, and show from their slotStartsAt on. */
    async liveToken(): Promise<string> {
      frames.push(...projector.drain('qr'));
      const shown = frames.filter((f) => Number(f.slotStartsAt) <= Date.now()).pop() ?? frames[0]!;
      await sleep(Number(shown.slotStartsAt) - Date.now() + 2);
      return String(shown.url).split('#')[1]!;
    },
    /** The projector's live count once it reaches `expected` (or the last seen after `ms`). */
    async countReaching(expected: number, ms: number): Promise<number | null> {
      let last: number | null = null;
      for (const deadline = Date.now() + ms; (last ?? -1) < expected && Date.now() < deadline; ) {
        last = await projector.next('count', deadline - Date.now()).then((m) => Number(m.confirmed), () => last);
      }
      return last;
    },
    close: () => projector.close(),
  };
}

/** Every load process starts its share of `plan` (students left out of it do not scan) at the same moment; `atStart` runs then (the meters start with the students). */
export async function burst(classroom: Classroom, plan: ReadonlyArray<PlannedScan | undefined>, qrToken: string, atStart: () => void = () => undefined) {
  const startAt = Date.now() + 300;
  const started = sleep(startAt - Date.now()).then(atStart);
  const scans = (share: number[]) => share.map((i) => plan[i]).filter((p): p is PlannedScan => p !== undefined);
  const lastOffset = Math.max(0, ...scans(classroom.shares.flat()).map((p) => p.offsetMs));
  const asked = classroom.clients.map((client, c) => client.call('burst', { qrToken, startAt, scans: scans(classroom.shares[c]!) }));
  const answers = await within(120_000 + lastOffset, 'a burst of scans', Promise.all(asked));
  await started;
  return analyseBurst(answers.flatMap((a) => a.records), startAt);
}

function analyseBurst(records: readonly ScanRecord[], startAt: number) {
  const confirmed = records.filter((r) => r.outcome === 'confirmed');
  const errors: Record<string, number> = {};
  for (const r of records) if (r.outcome !== 'confirmed') errors[r.outcome] = (errors[r.outcome] ?? 0) + 1;
  const wallMs = Math.max(...records.map((r) => r.endedAt)) - startAt;
  return {
    students: records.length,
    successes: confirmed.length,
    errors,
    wallMs,
    confirmedPerSecond: (confirmed.length / wallMs) * 1000,
    scan: distribution(confirmed.map((r) => r.endedAt - r.startedAt)),
    confirm: distribution(confirmed.map((r) => r.endedAt - r.signedAt)),
    challenge: distribution(records.filter((r) => Number.isFinite(r.challengedAt)).map((r) => r.challengedAt - r.startedAt)),
    crossInstance: confirmed.filter((r) => r.crossInstance).length,
  };
}
