import type { RetentionCounts, RetentionRepository } from './ports.js';

/**
 * The daily retention job: client addresses older than RETENTION_CLIENT_ADDRESS_DAYS are nulled, receipts
 * older than RETENTION_RECEIPTS_DAYS pruned (each chain keeps its head). Every instance ticks; one runs at a
 * time (advisory lock) and at most once a day (the last run is recorded). The clock is injected for tests.
 */
export function createRetentionJob(deps: {
  retention: RetentionRepository;
  settings: { clientAddressMs: number; receiptsMs: number };
  now?: () => Date;
  log: (counts: RetentionCounts) => void;
}) {
  const now = deps.now ?? (() => new Date());
  return {
    async runOnce(): Promise<RetentionCounts | null> {
      const at = now();
      const counts = await deps.retention.runDaily({
        now: at,
        addressCutoff: new Date(at.getTime() - deps.settings.clientAddressMs),
        receiptCutoff: new Date(at.getTime() - deps.settings.receiptsMs),
      });
      if (counts) deps.log(counts);
      return counts;
    },
  };
}
