import { keystore } from '../../../shared/keystore.js';
import type { KeyValueStore } from '../../../shared/storage/key-value.js';
import type { NetworkBudgets } from '../application/ports.js';

const WINDOW_MS = 60_000;

/**
 * Challenge requests per client network (an IPv4 address, an IPv6 /64) per minute, in two fixed windows:
 * `proven` (RATE_LIMIT_SCAN_PER_MINUTE) counts requests an enrolled phone signed, a lecture hall behind one
 * NAT; `unproven` (RATE_LIMIT_SCAN_UNKNOWN_PHONE_PER_MINUTE, smaller) counts the rest. Strangers behind the
 * same address can spend only the second, so they cannot lock the classmates out.
 */
export function createNetworkBudgets(store: KeyValueStore, limits: { proven: number; unproven: number }): NetworkBudgets {
  const spend = async (key: string, max: number): Promise<number | null> => {
    const { count, ttlMs } = await store.increment(key, WINDOW_MS);
    return count > max ? Math.max(1, Math.ceil(ttlMs / 1000)) : null;
  };
  return {
    proven: (network) => spend(keystore.scanNetworkRequests(network), limits.proven),
    unproven: (network) => spend(keystore.scanUnprovenRequests(network), limits.unproven),
  };
}
