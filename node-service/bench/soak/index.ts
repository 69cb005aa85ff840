import { projectSessions, runningSessions, heapOf } from '../projector/index.js';
import { burst, enrollClassroom, openRound, planScans, PUBLIC_ORIGIN, COURSE_ID } from '../scan/classroom.js';
import type { Scenario } from '../scenario.js';
import { benchCourse, startDirectory } from '../support/directory.js';
import { rssBytes } from '../support/proc.js';
import { createDatabase, serviceEnv, startService, type BenchService } from '../support/service.js';
import { sleep } from '../support/stats.js';

/**
 * Memory over time: two instances sharing PostgreSQL and Valkey, 50 sessions projected (half on each), a
 * class of 40 scanning a fresh round every 10 s (half the students on each instance), instance B restarted
 * every `--restart` minutes (its projectors reconnect to the new one), for `--minutes`. Every sample (5 min,
 * or a sixth of a shorter run) reads each instance's RSS and V8 heap. The pass line is the growth of A (never
 * restarted) after the first 10 minutes (or the first restart interval, if shorter).
 */
const PROJECTORS = 50;
const STUDENTS = 40;
const SCAN_EVERY_MS = 10_000;
const MB = 1e6;

export const soakScenario: Scenario = {
  title: 'soak: two instances for an hour, one restarted, memory over time',
  async run(context) {
    const minutes = context.minutes ?? 60;
    const restartMinutes = context.restartMinutes ?? 10;
    const sampleMinutes = Math.min(5, minutes / 6);
    const warmupMinutes = Math.min(10, restartMinutes);
    const scope = context.teardown.scope();
    try {
      const directory = await startDirectory([benchCourse(COURSE_ID, STUDENTS), benchCourse('PROJECTED', 1)], scope);
      const env = {
        ...serviceEnv(await createDatabase(scope), scope),
        PUBLIC_URL: PUBLIC_ORIGIN,
        RATE_LIMIT_SCAN_PER_MINUTE: '1000000',
        RATE_LIMIT_USER_PER_MINUTE: '100000',
        RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
        WS_MAX_PER_USER: '1000',
        WS_MAX_PER_ADDRESS: '1000',
        ...directory,
        ...context.env,
      };
      const start = () => startService(context.runner, { teardown: scope, env });
      const servers: BenchService[] = [await start(), await start()];
      const ids = await runningSessions(servers[0]!.baseUrl, PROJECTORS, 'PROJECTED');
      const half = [ids.slice(0, PROJECTORS / 2), ids.slice(PROJECTORS / 2)];
      // The projectors' token outlasts the run (the page would reconnect with a fresh one).
      const tokenSeconds = (minutes + 20) * 60;
      const projectors = [await projectSessions(servers[0]!, half[0]!, scope, tokenSeconds), await projectSessions(servers[1]!, half[1]!, scope, tokenSeconds)].map((p) => p.client);
      const classroom = await enrollClassroom(servers[0]!.baseUrl, STUDENTS, 1, scope);
      context.log(`  soak: ${minutes} min, instance B restarted every ${restartMinutes} min, a sample every ${sampleMinutes} min`);

      const samples: Array<{ minute: number; instance: string; pid: number; rssMB: number; heap: Awaited<ReturnType<typeof heapOf>> }> = [];
      const scans = { bursts: 0, confirmed: 0, errors: {} as Record<string, number> };
      const restarts: Array<{ minute: number; seconds: number }> = [];
      const started = Date.now();
      const minute = () => (Date.now() - started) / 60_000;
      let nextSample = 0;
      let nextRestart = restartMinutes;
      while (minute() < minutes) {
        const tick = Date.now();
        if (minute() >= nextSample) {
          for (const [i, server] of servers.entries()) {
            samples.push({ minute: Math.round(nextSample * 10) / 10, instance: 'AB'[i]!, pid: server.pid, rssMB: rssBytes(server.pid) / MB, heap: await heapOf(server.baseUrl) });
          }
          context.log(`  ${samples.slice(-2).map((s) => `${s.instance} (pid ${s.pid}) RSS ${s.rssMB.toFixed(1)} MB, heap ${s.heap?.usedMB.toFixed(1)}/${s.heap?.totalMB.toFixed(1)} MB`).join('; ')} at ${nextSample.toFixed(1)} min`);
          nextSample += sampleMinutes;
        }
        if (minute() >= nextRestart) {
          const restartedAt = performance.now();
          await projectors[1]!.stop();
          await servers[1]!.stop();
          servers[1] = await start();
          projectors[1] = (await projectSessions(servers[1], half[1]!, scope, tokenSeconds)).client;
          restarts.push({ minute: Math.round(minute() * 10) / 10, seconds: (performance.now() - restartedAt) / 1000 });
          nextRestart += restartMinutes;
        }
        const round = await openRound(servers[scans.bursts % 2]!.baseUrl);
        const figures = await burst(classroom, planScans(classroom, servers.map((s) => s.baseUrl), 0), await round.liveToken());
        round.close();
        scans.bursts += 1;
        scans.confirmed += figures.successes;
        for (const [code, n] of Object.entries(figures.errors)) scans.errors[code] = (scans.errors[code] ?? 0) + n;
        for (const server of servers) if (!server.running()) throw new Error(`an instance exited:\n${server.output().slice(-2000)}`);
        await sleep(tick + SCAN_EVERY_MS - Date.now());
      }
      const { problems } = await projectors[0]!.call('report', undefined);
      return { minutes, restartMinutes, sampleMinutes, warmupMinutes, projectors: PROJECTORS, students: STUDENTS, samples, scans, restarts, problems: problems.slice(0, 10) };
    } finally {
      await scope.run();
    }
  },
};

export interface SoakRecord {
  minutes: number;
  restartMinutes: number;
  sampleMinutes: number;
  warmupMinutes: number;
  samples: Array<{ minute: number; instance: string; pid: number; rssMB: number; heap: { usedMB: number; totalMB: number; externalMB: number } | null }>;
  scans: { bursts: number; confirmed: number; errors: Record<string, number> };
  restarts: Array<{ minute: number; seconds: number }>;
  problems: string[];
}
