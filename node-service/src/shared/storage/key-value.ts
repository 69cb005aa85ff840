/**
 * The port to the short-lived store (Valkey). Two adapters speak it: ioredis against a real Valkey/Redis,
 * and an in-process store for a single instance with no environment. Nothing kept here matters after a
 * minute: losing it loses live codes and challenges, never attendance.
 */
export type MessageHandler = (message: string) => void;

/**
 * A Lua script Valkey runs atomically, in one round trip. Every key it touches is passed as KEYS (the adapter
 * adds the key prefix), never built inside the script, so a cluster client could route it or refuse it.
 */
export interface StoreScript {
  /** A name for the command (ioredis defineCommand): unique per script. */
  name: string;
  lua: string;
}

export interface KeyValueStore {
  readonly kind: 'valkey' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Atomically reads and deletes: of two concurrent takers, exactly one gets the value. */
  take(key: string): Promise<string | null>;
  delete(...keys: string[]): Promise<number>;
  /**
   * Adds one: the new count and the counter's remaining life, in one round trip (the rate limiter calls
   * this on every request). The TTL is set when the counter is created.
   */
  increment(key: string, ttlMs: number): Promise<{ count: number; ttlMs: number }>;
  /** Takes one back from a counter that still lives (its TTL unchanged); nothing when it has expired. */
  decrement(key: string): Promise<void>;
  /** Remaining time to live in ms; null when the key does not exist or has no TTL. */
  ttlMs(key: string): Promise<number | null>;
  /**
   * Valkey only (the in-process store has no Lua): runs `script` with `keys` as KEYS and `args` as ARGV, in
   * one round trip (EVALSHA; the first call on a connection sends the source).
   */
  runScript?(script: StoreScript, keys: string[], args: Array<string | number>): Promise<unknown>;
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active; the returned function unsubscribes. */
  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
