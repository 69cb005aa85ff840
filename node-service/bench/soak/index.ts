import { heapOf, projectSessions, runningSessions } from '../projector/index.js';
import { burst, COURSE_ID, enrollClassroom, openRound, planScans } from '../scan/classroom.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { benchCourse } from '../support/directory.js';
import { rssBytes } from '../support/proc.js';
import { startStack } from '../support/service.js';
import { sleep } from '../support/stats.js';

/**
 * Memory over time: two instances, 50 sessions projected and a class of 40 scanning a fresh round every 10 s
 * (half on each), instance B restarted every `--restart` minutes, for `--minutes`; each instance's RSS and V8
 * heap sampled every 5 min (a sixth of a shorter run). docs/benchmarks.md says how, and its pass line.
 */
const PROJECTORS = 50;
const STUDENTS = 40;
const SCAN_EVERY_MS = 10_000;

export const soakScenario: Scenario = { title: 'soak: two instances for an hour, one restarted, memory over time', run: soak };

async function soak(context: ScenarioContext) {
  const minutes = context.sizes('minutes')?.[0] ?? 60;
  const restartMinutes = context.sizes('restart')?.[0] ?? 10;
  const sampleMinutes = Math.min(5, minutes / 6);
  const warmupMinutes = Math.min(10, restartMinutes);
  return context.teardown.scoped(async (scope) => {
    const courses = [benchCourse(COURSE_ID, STUDENTS), benchCourse('PROJECTED', 1)];
    const { servers, start } = await startStack(context, scope, { instances: 2, courses, door: false });
    const ids = await runningSessions(servers[0]!.baseUrl, PROJECTORS, 'PROJECTED');
    const half = [ids.slice(0, PROJECTORS / 2), ids.slice(PROJECTORS / 2)];
    // The projectors' token outlasts the run (the page would reconnect with a fresh one).
    const project = async (i: number) => (await projectSessions(servers[i]!.baseUrl, half[i]!, scope, (minutes + 20) * 60)).client;
    const projectors = [await project(0), await project(1)];
    const classroom = await enrollClassroom(servers[0]!.baseUrl, STUDENTS, 1, scope);
    context.log(`  soak: ${minutes} min, instance B restarted every ${restartMinutes} min, a sample every ${sampleMinutes} min`);

    const samples: Array<{ minute: number; instance: string; pid: number; rssMB: number; heap: Awaited<ReturnType<typeof heapOf>> }> = [];
    const scans = { bursts: 0, confirmed: 0, errors: {} as Record<string, number> };
    const restarts: Array<{ minute: number; seconds: number }> = [];
    const started = Date.now();
    const minute = () => (Date.now() - started) / 60_000;
    for (let nextSample = 0, nextRestart = restartMinutes; minute() < minutes; ) {
      const tick = Date.now();
      if (minute() >= nextSample) {
        for (const [i, s] of servers.entries()) samples.push({ minute: Math.round(nextSample * 10) / 10, instance: 'AB'[i]!, pid: s.pid, rssMB: rssBytes(s.pid) / 1e6, heap: await heapOf(s.baseUrl) });
        context.log(`  ${samples.slice(-2).map((s) => `${s.instance} (pid ${s.pid}) RSS ${s.rssMB.toFixed(1)} MB, heap ${s.heap?.usedMB.toFixed(1)}/${s.heap?.totalMB.toFixed(1)} MB`).join('; ')} at ${nextSample.toFixed(1)} min`);
        nextSample += sampleMinutes;
      }
      if (minute() >= nextRestart) {
        const restartedAt = performance.now();
        await projectors[1]!.stop();
        await servers[1]!.stop();
        servers[1] = await start();
        projectors[1] = await project(1);
        restarts.push({ minute: Math.round(minute() * 10) / 10, seconds: (performance.now() - restartedAt) / 1000 });
        nextRestart += restartMinutes;
      }
      const round = await openRound(servers[scans.bursts % 2]!.baseUrl);
      const figures = await burst(classroom, planScans(classroom, servers.map((s) => s.baseUrl), 0), await round.liveToken());
      round.close();
      scans.bursts += 1;
      scans.confirmed += figures.successes;
      for (const [code, n] of Object.entries(figures.errors)) scans.errors[code] = (scans.errors[code] ?? 0) + n;
      for (const s of servers) if (!s.running()) throw new Error(`an instance exited:\n${s.output().slice(-2000)}`);
      await sleep(tick + SCAN_EVERY_MS - Date.now());
    }
    const { problems } = await projectors[0]!.call('report', undefined);
    return { minutes, restartMinutes, sampleMinutes, warmupMinutes, projectors: PROJECTORS, students: STUDENTS, samples, scans, restarts, problems: problems.slice(0, 10) };
  });
}

export type SoakRecord = Awaited<ReturnType<typeof soak>>;
