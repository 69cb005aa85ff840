/**
 * Open sockets counted per key (a user id, a client address) against a ceiling: WS_MAX_PER_USER and
 * WS_MAX_PER_ADDRESS. Counted on this instance; Apache spreads a user's sockets over the instances.
 */
export interface SocketCounter {
  /** Counts one more socket for `key`; false (and nothing counted) when `key` is at the ceiling. */
  acquire(key: string): boolean;
  /** Forgets one socket of `key`. */
  release(key: string): void;
  count(key: string): number;
}

export function createSocketCounter(ceiling: number): SocketCounter {
  const open = new Map<string, number>();
  return {
    acquire(key) {
      const count = open.get(key) ?? 0;
      if (count >= ceiling) return false;
      open.set(key, count + 1);
      return true;
    },
    release(key) {
      const count = open.get(key) ?? 0;
      if (count <= 1) open.delete(key);
      else open.set(key, count - 1);
    },
    count: (key) => open.get(key) ?? 0,
  };
}
