/**
 * When a course's grades change (a class closed, attendance corrected, a justification approved, the grade
 * policy changed), its grades are posted shortly after instead of at the next periodic pass: changes that
 * come close together (a teacher correcting ten students) wait `delayMs` and go in one pass. The periodic
 * job stays the safety net, for an instance that stops before its pass runs.
 */
export function createGradeChanges(deps: {
  sync: (courseId: string) => Promise<unknown>;
  delayMs: number;
  report: (error: unknown, context: string) => void;
}) {
  const waiting = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();

  const run = (courseId: string) => {
    waiting.delete(courseId);
    const pass = deps
      .sync(courseId)
      .catch((error: unknown) => deps.report(error, `LTI grades of course ${courseId} not posted after a change`))
      .finally(() => running.delete(pass));
    running.add(pass);
  };

  return {
    /** Called by the attendance module (through app.ts) for each change; cheap, never throws. */
    changed(courseId: string): void {
      if (waiting.has(courseId)) return;
      const timer = setTimeout(() => run(courseId), deps.delayMs);
      timer.unref();
      waiting.set(courseId, timer);
    },
    /** On shutdown: nothing new starts, and the passes under way finish. */
    async stop(): Promise<void> {
      for (const timer of waiting.values()) clearTimeout(timer);
      waiting.clear();
      await Promise.all(running);
    },
  };
}
