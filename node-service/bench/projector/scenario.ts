import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProfile, summariseProfile, type ProfileSummary } from '../support/cpu-profile.js';
import { apiClient, portalToken } from '../support/portal.js';
import { cpuMeter, rssBytes, rssSampler } from '../support/proc.js';
import {
  BENCH_JWT_SECRET,
  createDatabase,
  createKeyPrefix,
  startService,
  VALKEY_URL,
  type BenchService,
  type ServiceRunner,
} from '../support/service.js';
import { sleep, within } from '../support/stats.js';
import type { Teardown } from '../support/teardown.js';
import { analyseFrames, type FrameFigures } from './analysis.js';
import { startProjectorClient, type ProjectorClient } from './client-process.js';
import { runningSessions } from './sessions.js';

/**
 * Issue 4's projector benchmark: N sessions projected at once on one service instance. The service runs as
 * its own process (a fresh database and key prefix each time); N sessions are created, opened and put in
 * round 1 through the API; a separate client process connects one projector per session; then, after a
 * warm-up, every `qr` frame of a window of whole slots is recorded, and the server's CPU and RSS sampled.
 */
export const PERIOD_MS = 3000;
const WARMUP_PERIODS = 2;
const SETUP_CONCURRENCY = 16;
const CONNECT_CONCURRENCY = 50;
const RSS_SAMPLE_MS = 200;

export interface ProjectorOptions {
  runner: ServiceRunner;
  teardown: Teardown;
  windowSeconds: number;
  env: Record<string, string>;
  /** Run the server under `node --cpu-prof` and summarise where its CPU went during the window. */
  profile: boolean;
  log: (line: string) => void;
}

export interface ProjectorResult {
  sessions: number;
  slots: number;
  frames: FrameFigures;
  serverCpuPercent: number;
  clientCpuPercent: number;
  rssAtStartMB: number;
  rssAfterSetupMB: number;
  rssMaxMB: number;
  /** The service's own heap figures (its metrics endpoint), read between two rotations after the window. */
  heap: { usedMB: number; totalMB: number; externalMB: number } | undefined;
  setupSeconds: number;
  connectSeconds: number;
  problems: string[];
  profile?: ProfileSummary;
}

// Megabytes of 10^6 bytes, as the target is stated.
const MB = 1e6;
const sleepUntil = (wallMs: number) => sleep(wallMs - Date.now());

export async function measureProjection(sessions: number, options: ProjectorOptions): Promise<ProjectorResult> {
  const scope = options.teardown.scope();
  const { log } = options;
  try {
    const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'asistencia-cpu-prof-')) : undefined;
    const service = await startProjectionService(options, scope, profileDir);
    log(`  service pid ${service.pid} at ${service.baseUrl}`);
    const rssAtStartMB = rssBytes(service.pid) / MB;

    const setupStarted = performance.now();
    const api = apiClient(service.baseUrl, await portalToken(BENCH_JWT_SECRET));
    const ids = await within(120_000 + sessions * 200, 'setting up sessions', runningSessions(api, sessions, SETUP_CONCURRENCY));
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const rssAfterSetupMB = rssBytes(service.pid) / MB;
    log(`  ${sessions} sessions created, opened, round 1 started in ${setupSeconds.toFixed(1)} s`);

    const client = startProjectorClient(scope);
    const connectSeconds = await connectProjectors(service, client, ids);
    log(`  ${sessions} projectors connected and subscribed in ${connectSeconds.toFixed(1)} s`);

    const window = await measureWindow(service, client, options);
    const { frames, problems } = await within(60_000, 'collecting frames', client.ask({ type: 'report' }, 'frames'));
    await client.stop();
    await service.stop();
    const exitedAt = Date.now();
    const profile = profileDir ? summariseProfile(findProfile(profileDir), { ...window.cpuSpan, exitedAt }) : undefined;
    return {
      sessions,
      slots: window.slots.lastSlot - window.slots.firstSlot + 1,
      frames: analyseFrames(frames, sessions, window.slots),
      serverCpuPercent: window.serverCpuPercent,
      clientCpuPercent: window.clientCpuPercent,
      rssAtStartMB,
      rssAfterSetupMB,
      rssMaxMB: window.rssMaxMB,
      heap: window.heap,
      setupSeconds,
      connectSeconds,
      problems,
      ...(profile ? { profile } : {}),
    };
  } finally {
    await scope.run();
  }
}

/** The service with a database and key prefix of its own, a rate limit high enough for the setup, the default period. */
async function startProjectionService(options: ProjectorOptions, scope: Teardown, profileDir: string | undefined): Promise<BenchService> {
  return startService(options.runner, {
    teardown: scope,
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: await createDatabase(scope),
      VALKEY_URL,
      VALKEY_KEY_PREFIX: createKeyPrefix(scope),
      JWT_SECRET: BENCH_JWT_SECRET,
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      SESSION_DEFAULT_PERIOD_MS: String(PERIOD_MS),
      ...options.env,
    },
  });
}

/** One projector per session; every one must subscribe. Returns the seconds it took. */
async function connectProjectors(service: BenchService, client: ProjectorClient, ids: string[]): Promise<number> {
  const connected = await within(
    60_000 + ids.length * 100,
    'connecting projectors',
    client.ask(
      {
        type: 'connect',
        wsUrl: `${service.baseUrl.replace('http:', 'ws:')}/asistencia/ws`,
        token: await portalToken(BENCH_JWT_SECRET),
        sessionIds: ids,
        concurrency: CONNECT_CONCURRENCY,
      },
      'connected',
    ),
  );
  if (connected.subscribed !== ids.length) {
    throw new Error(
      `only ${connected.subscribed} of ${ids.length} projectors subscribed: ${connected.failures.join('; ')}\n` +
        `the service said:\n${lastLines(service.output(), 5)}`,
    );
  }
  return connected.ms / 1000;
}

/**
 * Waits out the warm-up, then meters whole slots: CPU from mid-slot to mid-slot, so that it spans exactly
 * `slots` rotations; RSS throughout; the heap between two rotations after the window. Frames of the last
 * slot that come late still count: the window is only closed one period after its end.
 */
async function measureWindow(service: BenchService, client: ProjectorClient, options: ProjectorOptions) {
  const alive = () => {
    if (!service.running()) throw new Error(`the service exited during the run:\n${lastLines(service.output(), 10)}`);
  };
  const count = Math.max(1, Math.round((options.windowSeconds * 1000) / PERIOD_MS));
  const firstSlot = Math.floor(Date.now() / PERIOD_MS) + 1 + WARMUP_PERIODS;
  const slots = { firstSlot, lastSlot: firstSlot + count - 1, periodMs: PERIOD_MS };
  const windowEnd = (slots.lastSlot + 1) * PERIOD_MS;
  const cpuSpan = { from: firstSlot * PERIOD_MS - PERIOD_MS / 2, to: windowEnd - PERIOD_MS / 2 };
  options.log(`  warming up, then measuring ${count} slots (${((count * PERIOD_MS) / 1000).toFixed(0)} s)`);

  await sleepUntil(cpuSpan.from);
  alive();
  const serverCpu = cpuMeter(service.pid);
  const clientCpu = cpuMeter(client.pid);
  serverCpu.start();
  clientCpu.start();
  const rss = rssSampler(service.pid, RSS_SAMPLE_MS);
  await sleepUntil(cpuSpan.to);
  alive();
  const serverCpuPercent = serverCpu.stop();
  const clientCpuPercent = clientCpu.stop();
  await sleepUntil(windowEnd + PERIOD_MS / 2);
  const heap = await heapOf(service.baseUrl);
  await sleepUntil(windowEnd + PERIOD_MS);
  const rssMaxMB = rss.stop() / MB;
  alive();
  return { slots, cpuSpan, serverCpuPercent, clientCpuPercent, rssMaxMB, heap };
}

const lastLines = (text: string, count: number) => text.trim().split('\n').slice(-count).join('\n');

/** V8 heap used and total, and external memory, from the service's Prometheus metrics, when they can be read. */
async function heapOf(baseUrl: string): Promise<ProjectorResult['heap']> {
  try {
    const text = await (await fetch(`${baseUrl}/asistencia/metrics`)).text();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]) / MB;
    const heap = {
      usedMB: gauge('nodejs_heap_size_used_bytes'),
      totalMB: gauge('nodejs_heap_size_total_bytes'),
      externalMB: gauge('nodejs_external_memory_bytes'),
    };
    return Object.values(heap).every(Number.isFinite) ? heap : undefined;
  } catch {
    return undefined;
  }
}
