/**
 * What a benchmark started (processes, databases, Valkey keys, a build), undone last-in first-out after a
 * normal run, a failure or Ctrl-C. A scope is a teardown nested in its parent: running the root also runs
 * every scope still open.
 */
export interface Teardown {
  defer(label: string, step: () => unknown): void;
  /** Runs `work` with a scope of its own, undone when the work ends. */
  scoped<T>(work: (scope: Teardown) => Promise<T>): Promise<T>;
  run(): Promise<void>;
}

export function createTeardown(): Teardown {
  const steps: Array<{ label: string; step: () => unknown }> = [];
  return {
    defer: (label, step) => void steps.push({ label, step }),
    async scoped(work) {
      const scope = createTeardown();
      const entry = { label: 'scope', step: () => scope.run() };
      steps.push(entry);
      try {
        return await work(scope);
      } finally {
        await scope.run();
        if (steps.includes(entry)) steps.splice(steps.indexOf(entry), 1);
      }
    },
    async run() {
      for (let next = steps.pop(); next; next = steps.pop()) {
        try {
          await next.step();
        } catch (error) {
          console.warn(`teardown: ${next.label} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
  };
}
