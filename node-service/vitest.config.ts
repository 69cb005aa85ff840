import { defineConfig } from 'vitest/config';

// Integration and browser files spend much of their time waiting (on PostgreSQL, Valkey, Apache, Chromium,
// a slot to begin), not computing, so they run four files at a time by default, twice this machine's 2
// cores: measured at 245 s for the two projects, against 272-288 s three at a time, with both cores 93 %
// busy instead of 83 % (docs/testing.md). TEST_WORKERS=N overrides it (1: one file at a time, to read a
// failing file's output in order). The two projects share a group (after the unit tests when all projects
// run), and vitest wants one value per group.
const WAITING_WORKERS = { maxWorkers: Number(process.env.TEST_WORKERS ?? 4) };

// Four kinds of tests: unit tests of pure logic beside the code, integration tests against this machine's
// real PostgreSQL and Valkey, browser tests that drive Debian's Chromium, and the containers lane (the
// compose stacks built and run with podman), which `npm test` runs after the others.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'web/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
          // Pure logic with fakes: one worker runs file after file with the modules it loaded (the unit lane
          // took 23.6 s isolated, 11.7 s so). Stubbed globals and environment go back after each test.
          isolate: false,
          unstubGlobals: true,
          unstubEnvs: true,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**', 'test/containers/live/**'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
          // A worker runs file after file with the modules it loaded (2.5 s of CPU a file saved); each file
          // still has its own database, key prefix, service and door.
          isolate: false,
          ...WAITING_WORKERS,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          // Files run in parallel: each has its own database, key prefix, door and browser contexts, and all
          // of them connect to one Chromium (chromium-server.ts).
          globalSetup: ['test/support/build-pages.ts', 'test/support/global-setup.ts', 'test/support/chromium-server.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
          isolate: false,
          ...WAITING_WORKERS,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The whole product under podman compose, built and driven through Apache (npm run containers -- test).
        test: {
          name: 'containers',
          include: ['test/containers/live/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 1_500_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
