import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { KeyValueStore, MessageHandler, StoreScript } from './key-value.js';

/**
 * A counter for a fixed window in one command (EVALSHA; a MULTI of INCR, PEXPIRE NX and PTTL took five):
 * the rate limits call it on every request. The window starts with the counter's first increment.
 */
const INCREMENT_WINDOW = `
local count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1], 'NX')
return { count, redis.call('PTTL', KEYS[1]) }`;

interface IncrementCommand {
  incrementWindow(key: string, ttlMs: number): Promise<[number, number]>;
}

/** Where Valkey is: one server's URL, or sentinels that name the primary (the URL then gives credentials). */
export type ValkeyLocation =
  | { url: string }
  | { url: string | undefined; sentinel: { addresses: Array<{ host: string; port: number }>; master: string; password: string | undefined } };

type ConnectionOptions = Pick<RedisOptions, 'enableReadyCheck' | 'enableAutoPipelining'>;

/** A connection to the one server, or to whichever server the sentinels call primary, reconnecting as they change. */
function connection(location: ValkeyLocation, extra: ConnectionOptions): Redis {
  const common: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, ...extra };
  if (!('sentinel' in location)) return new Redis(location.url.replace(/^valkey:/, 'redis:'), common);
  const { addresses, master, password } = location.sentinel;
  return new Redis({
    ...common,
    ...credentials(location.url),
    sentinels: addresses,
    name: master,
    sentinelPassword: password,
    // Nothing more is needed to follow a failover: a crashed primary drops the connection, and a demoted one
    // has its clients disconnected by the sentinels (CLIENT KILL); either way ioredis reconnects by asking
    // the sentinels again (test/faults/valkey-failover.test.ts covers both).
  });
}

/** User, password and database number of a redis:// or valkey:// URL; its host and port are not used. */
function credentials(url: string | undefined): Pick<RedisOptions, 'username' | 'password' | 'db'> {
  if (!url) return {};
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1) || 0);
  return {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
  };
}

/**
 * Valkey through ioredis. Keys and channels both carry the configured prefix, so several deployments (or
 * test runs) can share one server. Subscriptions use a second connection, as the protocol requires. Behind
 * sentinels both connections follow the primary through a failover.
 */
export function createValkeyStore(options: ValkeyLocation & { keyPrefix: string }): KeyValueStore {
  const connect = (extra: ConnectionOptions = {}) => connection(options, extra);
  // Commands issued in the same tick share one write and one round trip (500 scans at once are many ticks of
  // a few commands each): ioredis's auto-pipelining.
  const commands = connect({ enableAutoPipelining: true }) as Redis & IncrementCommand;
  commands.defineCommand('incrementWindow', { numberOfKeys: 1, lua: INCREMENT_WINDOW });
  // No ready check (INFO) on the subscriber: a SUBSCRIBE arriving while it connects would put the
  // connection in subscriber mode first, the INFO would then be refused, and the subscription fail.
  const subscriber = connect({ enableReadyCheck: false });
  const handlers = new Map<string, Set<MessageHandler>>();
  // The SUBSCRIBE in flight per channel: a second subscriber joining meanwhile waits for it too.
  const subscribing = new Map<string, Promise<unknown>>();
  const prefixed = (key: string) => options.keyPrefix + key;
  // Scripts run as EVALSHA (their SHA-1), and as EVAL once when the server does not know them yet (NOSCRIPT).
  // Not as commands defined on first use: defining one while an auto-pipeline of the same tick is being
  // filled breaks that pipeline (ioredis #1931: "results[i] is not iterable"), which 8 scans at once did.
  const shas = new Map<string, string>();
  const shaOf = (script: StoreScript) => {
    let sha = shas.get(script.name);
    if (!sha) shas.set(script.name, (sha = createHash('sha1').update(script.lua).digest('hex')));
    return sha;
  };
  const runScript = async (script: StoreScript, keys: string[], args: Array<string | number>): Promise<unknown> => {
    const all = [...keys.map(prefixed), ...args];
    try {
      return await commands.evalsha(shaOf(script), keys.length, ...all);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return commands.eval(script.lua, keys.length, ...all);
    }
  };

  subscriber.on('message', (channel: string, message: string) => {
    for (const handler of handlers.get(channel) ?? []) handler(message);
  });
  // After any reconnection, every channel someone listens to is subscribed again. ioredis resubscribes the
  // channels whose SUBSCRIBE it saw acknowledged; this also covers one whose SUBSCRIBE was in flight when
  // the connection dropped. SUBSCRIBE is idempotent, so a channel sent twice costs nothing.
  let connectedBefore = false;
  subscriber.on('ready', () => {
    if (connectedBefore && handlers.size > 0) void subscriber.subscribe(...handlers.keys()).catch(() => undefined);
    connectedBefore = true;
  });
  // Connection errors surface through the failing command and the readiness check, not as crashes.
  commands.on('error', () => undefined);
  subscriber.on('error', () => undefined);

  return {
    kind: 'valkey',
    get: (key) => commands.get(prefixed(key)),
    async set(key, value, ttlMs) {
      await commands.set(prefixed(key), value, 'PX', ttlMs);
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await commands.set(prefixed(key), value, 'PX', ttlMs, 'NX')) === 'OK';
    },
    take: (key) => commands.getdel(prefixed(key)),
    delete: (...keys) => (keys.length === 0 ? Promise.resolve(0) : commands.del(...keys.map(prefixed))),
    async increment(key, ttlMs) {
      const [count, left] = await commands.incrementWindow(prefixed(key), ttlMs);
      return { count: Number(count), ttlMs: Math.max(0, Number(left)) };
    },
    async decrement(key) {
      // One round trip, and no counter brought back to life without a TTL: DECR only a key that exists.
      await commands.eval(`if redis.call('exists', KEYS[1]) == 1 then redis.call('decr', KEYS[1]) end return 0`, 1, prefixed(key));
    },
    async ttlMs(key) {
      const ttl = await commands.pttl(prefixed(key));
      return ttl >= 0 ? ttl : null;
    },
    runScript,
    async publish(channel, message) {
      await commands.publish(prefixed(channel), message);
    },
    async subscribe(channel, handler) {
      const name = prefixed(channel);
      const set = handlers.get(name) ?? new Set<MessageHandler>();
      set.add(handler);
      handlers.set(name, set);
      if (!subscribing.has(name)) subscribing.set(name, subscriber.subscribe(name));
      const forget = () => {
        if (!set.delete(handler) || set.size > 0 || handlers.get(name) !== set) return false;
        handlers.delete(name);
        subscribing.delete(name);
        return true;
      };
      try {
        await subscribing.get(name);
      } catch (error) {
        // A SUBSCRIBE refused during an outage is forgotten, so the next subscriber sends it again instead of
        // waiting on this failure for good.
        if (forget()) void subscriber.unsubscribe(name).catch(() => undefined);
        throw error;
      }
      return async () => {
        // A second call must not remove a later subscriber's channel.
        if (forget()) await subscriber.unsubscribe(name);
      };
    },
    async ping() {
      await commands.ping();
    },
    async close() {
      handlers.clear();
      await Promise.allSettled([commands.quit(), subscriber.quit()]);
    },
  };
}
