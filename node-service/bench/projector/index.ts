import { loadavg } from 'node:os';
import { apiAs, draftSession } from '../../test/support/api.js';
import { portalToken, users } from '../../test/support/tokens.js';
import { startChild, type Teardown } from '../support/lifecycle.js';
import { cpuBetween, cpuSnapshot, groupOf, maxSampler, rssBytes } from '../support/proc.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { startStack } from '../support/service.js';
import { mapLimit } from '../../test/support/map-limit.js';
import { distribution, retryUnavailable, sleep, within } from '../support/stats.js';
import type { FrameRecord, handlers } from './client.js';

/**
 * N sessions projected at once, on one instance or several (`--instances`, `--door`): created, opened and in
 * round 1 through the API, one projector WebSocket each from a separate process; after a warm-up, every `qr`
 * frame of a window of whole slots is recorded, and each server's CPU and RSS sampled.
 */
const PERIOD_MS = 3000;
const WARMUP_PERIODS = 2;
const MB = 1e6;

export const projectorScenario: Scenario = {
  title: 'projector: sessions projected at once',
  async run(context) {
    const results = [];
    for (const sessions of context.sizes('sessions') ?? [100, 1000]) {
      for (const instances of context.sizes('instances') ?? [1]) {
        context.log(`projector, N = ${sessions}, ${instances} instance(s)${context.door ? ', through Apache' : ''}`);
        results.push(await measureProjection(sessions, instances, context));
      }
    }
    return { periodMs: PERIOD_MS, windowSeconds: context.sizes('window')?.[0] ?? 30, results };
  },
};

/** N sessions of `courseId`, each created, opened and in round 1, as the teacher's page does it. */
export async function runningSessions(baseUrl: string, count: number, courseId = 'MAT101', rotationPeriodMs?: number): Promise<string[]> {
  const teacher = apiAs(baseUrl, users.teacher);
  const expect = async (status: number, answer: Promise<{ status: number; body: { id?: string } }>) => {
    const { status: got, body } = await answer;
    if (got !== status) throw new Error(`setting up a session: HTTP ${got} ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  };
  return mapLimit(Array.from({ length: count }, (_, i) => i), 16, async (i) => {
    const rotation = rotationPeriodMs ? { rotationPeriodMs } : {};
    const draft = draftSession({ courseId, room: `Aula ${100 + (i % 900)}`, roundsPlanned: 1, ...rotation });
    const { id } = await retryUnavailable(() => expect(201, teacher.post('/api/sessions', draft)));
    await retryUnavailable(() => expect(200, teacher.post(`/api/sessions/${id}/open`)));
    await retryUnavailable(() => expect(200, teacher.post(`/api/sessions/${id}/rounds`)));
    return id!;
  });
}

/** A projector per session from a process of its own (the teardown closes them); every one must subscribe. Its token lasts `tokenSeconds` (the socket closes when it expires). */
export async function projectSessions(baseUrl: string, ids: string[], teardown: Teardown, tokenSeconds = 300) {
  const client = startChild<typeof handlers>(new URL('./client.ts', import.meta.url), 'the projector client', teardown);
  const token = await portalToken(users.teacher, { exp: Math.floor(Date.now() / 1000) + tokenSeconds });
  const request = { wsUrl: `${baseUrl.replace('http:', 'ws:')}/asistencia/ws`, token, sessionIds: ids, concurrency: 50 };
  const connected = await within(60_000 + ids.length * 100, 'connecting projectors', client.call('connect', request));
  if (connected.subscribed !== ids.length) throw new Error(`${connected.subscribed} of ${ids.length} projectors subscribed: ${connected.failures.join('; ')}`);
  return { client, seconds: connected.ms / 1000 };
}

async function measureProjection(sessions: number, instances: number, context: ScenarioContext) {
  return context.teardown.scoped(async (scope) => {
    const stack = await startStack(context, scope, { instances, env: { SESSION_DEFAULT_PERIOD_MS: String(PERIOD_MS) } });
    const { servers, apache, url: baseUrl } = stack;
    const rss = () => servers.map((s) => rssBytes(s.pid) / MB);
    const rssAtStartMB = rss();
    const setupStarted = performance.now();
    const ids = await within(120_000 + sessions * 200, 'setting up sessions', runningSessions(baseUrl, sessions));
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const rssAfterSetupMB = rss();
    // The token outlasts the subscriptions and the window: 5,000 projectors on a busy machine took over 5 minutes to subscribe.
    const { client, seconds: connectSeconds } = await projectSessions(baseUrl, ids, scope, 600 + sessions);
    context.log(`  ${sessions} sessions set up in ${setupSeconds.toFixed(1)} s, their projectors subscribed in ${connectSeconds.toFixed(1)} s`);

    // Whole slots, metered from mid-slot to mid-slot; late frames of the last slot count: the window closes a period after it.
    const slots = Math.max(1, Math.round(((context.sizes('window')?.[0] ?? 30) * 1000) / PERIOD_MS));
    const firstSlot = Math.floor(Date.now() / PERIOD_MS) + 1 + WARMUP_PERIODS;
    const lastSlot = firstSlot + slots - 1;
    const span = { from: firstSlot * PERIOD_MS - PERIOD_MS / 2, to: (lastSlot + 1) * PERIOD_MS - PERIOD_MS / 2 };
    const groups: Record<string, () => number[]> = { client: () => [client.pid], ...Object.fromEntries(servers.map((s, i) => [`server ${i}`, () => [s.pid]])) };
    if (apache) groups.Apache = () => groupOf(apache.pids.apache);
    await sleep(span.from - Date.now());
    const before = cpuSnapshot(groups);
    const rssMax = servers.map((s) => maxSampler(() => rssBytes(s.pid), 200));
    await sleep(span.to - Date.now());
    const cpu = cpuBetween(before, cpuSnapshot(groups), context.machine.cpus);
    const loadAverage = loadavg()[0]!;
    await sleep(span.to + PERIOD_MS - Date.now());
    const heaps = await Promise.all(servers.map((s) => heapOf(s.baseUrl)));
    await sleep(span.to + 1.5 * PERIOD_MS - Date.now());
    for (const s of servers) if (!s.running()) throw new Error(`the service exited during the run:\n${s.output().slice(-2000)}`);
    const { frames, problems } = await within(60_000, 'collecting frames', client.call('report', undefined));
    await client.stop();
    for (const s of servers) await s.stop();
    const perInstance = servers.map((_, i) => ({
      cpuPercent: cpu.percent(`server ${i}`),
      rssAtStartMB: rssAtStartMB[i]!,
      rssAfterSetupMB: rssAfterSetupMB[i]!,
      rssMaxMB: rssMax[i]!.stop() / MB,
      heap: heaps[i]!,
    }));
    const figures = analyseFrames(frames, sessions, firstSlot, lastSlot);
    const apacheCpuPercent = apache ? cpu.percent('Apache') : null;
    return { sessions, door: context.door, slots, frames: figures, servers: perInstance, clientCpuPercent: cpu.percent('client'), apacheCpuPercent, loadAverage, setupSeconds, connectSeconds, problems, profile: stack.profile(span) };
  });
}

export type ProjectorResult = Awaited<ReturnType<typeof measureProjection>>;

/** V8 heap used and total, and external memory, from the service's own metrics, when they can be read. */
export async function heapOf(baseUrl: string) {
  const text = await fetch(`${baseUrl}/asistencia/metrics`).then((r) => r.text(), () => '');
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]) / MB;
  const heap = { usedMB: gauge('nodejs_heap_size_used_bytes'), totalMB: gauge('nodejs_heap_size_total_bytes'), externalMB: gauge('nodejs_external_memory_bytes') };
  return Object.values(heap).every(Number.isFinite) ? heap : null;
}

/**
 * Every session should receive exactly one frame, with one token, per slot of the window. Rotation jitter
 * at the projector: a frame delivered ahead is shown at its slotStartsAt (0), a late one counts its lateness.
 */
function analyseFrames(all: readonly FrameRecord[], sessions: number, firstSlot: number, lastSlot: number) {
  const frames = all.filter((f) => f.slot >= firstSlot && f.slot <= lastSlot);
  const tokens = new Map<string, Set<string>>();
  for (const f of frames) tokens.set(`${f.session}:${f.slot}`, (tokens.get(`${f.session}:${f.slot}`) ?? new Set()).add(f.token));
  const slotsPerSession = new Map<string, number>();
  for (const key of tokens.keys()) slotsPerSession.set(key.split(':')[0]!, (slotsPerSession.get(key.split(':')[0]!) ?? 0) + 1);
  const expected = sessions * (lastSlot - firstSlot + 1);
  const bySlot = new Map<number, number[]>();
  for (const f of frames) bySlot.set(f.slot, [...(bySlot.get(f.slot) ?? []), f.serverTime - f.slotStartsAt]);
  return {
    expected,
    received: tokens.size,
    missing: expected - tokens.size,
    sessionsMissing: sessions - [...slotsPerSession.values()].filter((n) => n === lastSlot - firstSlot + 1).length,
    duplicates: frames.length - tokens.size,
    slotsWithSeveralTokens: [...tokens.values()].filter((set) => set.size > 1).length,
    showLateness: distribution(frames.map((f) => Math.max(0, f.arrivedAt - f.slotStartsAt))),
    serverLateness: distribution(frames.map((f) => f.serverTime - f.slotStartsAt)),
    arrivalLateness: distribution(frames.map((f) => f.arrivedAt - f.slotStartsAt)),
    delivery: distribution(frames.map((f) => f.arrivedAt - f.serverTime)),
    lateFrames: frames.filter((f) => f.arrivedAt > f.slotStartsAt).length,
    // Per slot, when the server sent its first and its last frame after the boundary: the median over the slots.
    burst: { firstMs: distribution([...bySlot.values()].map((l) => Math.min(...l))).p50, lastMs: distribution([...bySlot.values()].map((l) => Math.max(...l))).p50 },
  };
}
