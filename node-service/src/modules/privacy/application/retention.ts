import type { RetentionCounts, RetentionRepository } from './ports.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The daily retention job: client addresses older than RETENTION_CLIENT_ADDRESS_DAYS are nulled, receipts
 * older than RETENTION_RECEIPTS_DAYS pruned (each chain keeps its head). Every instance ticks; one runs at a
 * time (advisory lock) and at most once a day (the last run is recorded). The clock is injected for tests.
 */
export function createRetentionJob(deps: {
  retention: RetentionRepository;
  settings: { clientAddressDays: number; receiptsDays: number };
  now?: () => Date;
  log: (counts: RetentionCounts) => void;
}) {
  const now = deps.now ?? (() => new Date());
  return {
    async runOnce(): Promise<RetentionCounts | null> {
      const at = now();
      const counts = await deps.retention.runDaily({
        now: at,
        addressCutoff: new Date(at.getTime() - deps.settings.clientAddressDays * DAY_MS),
        receiptCutoff: new Date(at.getTime() - deps.settings.receiptsDays * DAY_MS),
      });
      if (counts) deps.log(counts);
      return counts;
    },
  };
}

export type RetentionJob = ReturnType<typeof createRetentionJob>;
