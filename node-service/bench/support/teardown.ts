/**
 * What a benchmark started (processes, a database, Valkey keys), undone in reverse order: after a normal
 * run, after a failure, and on Ctrl-C. A scope is a teardown nested in its parent, so an interrupt that runs
 * the root also runs every scope still open.
 */
export interface Teardown {
  /** Registers an undo step; steps run last-in, first-out, each at most once. */
  defer(label: string, step: () => unknown): void;
  /** A nested teardown: run it when its part of the work is done. */
  scope(): Teardown;
  run(): Promise<void>;
}

export function createTeardown(): Teardown {
  const steps: Array<{ label: string; step: () => unknown }> = [];
  const teardown: Teardown = {
    defer(label, step) {
      steps.push({ label, step });
    },
    scope() {
      const child = createTeardown();
      const entry = { label: 'scope', step: () => child.run() };
      steps.push(entry);
      return {
        ...child,
        async run() {
          await child.run();
          const at = steps.indexOf(entry);
          if (at >= 0) steps.splice(at, 1);
        },
      };
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
  return teardown;
}
