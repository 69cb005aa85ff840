import { createLiveCodeReader } from '../../src/modules/qr-projection/index.js';
import type { RunningService } from './service.js';

/** What `token` stands for if the service would take it now, read from the service's own store; else null. */
export async function liveClaim(service: RunningService, token: string, rotation: { periodMs: number; graceMs: number }) {
  const codes = createLiveCodeReader({ store: service.store, fallbackTtlMs: service.config.sessions.fallbackCodeTtlMs });
  const claim = await codes.claimOf(token);
  return claim && codes.tokenLive(claim, rotation) ? claim : null;
}
