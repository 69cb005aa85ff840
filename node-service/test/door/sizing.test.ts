import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { APACHE_CONFIG_DIR, REPO_ROOT } from '../support/apache.js';

/**
 * The door's size hangs together: Apache can really start the threads MaxRequestWorkers promises, and the
 * php container lets it (podman's default of 2,048 processes/threads per container would silently cap
 * the door). many-sockets.test.ts shows the size at work through the real Apache.
 */
const mpm = readFileSync(join(APACHE_CONFIG_DIR, 'mpm-event.conf'), 'utf8');
const setting = (name: string) => {
  const value = new RegExp(`^${name}\\s+(\\d+)\\s*$`, 'm').exec(mpm)?.[1];
  if (value === undefined) throw new Error(`mpm-event.conf sets no ${name}`);
  return Number(value);
};

describe('apache-config/mpm-event.conf', () => {
  it('has room for thousands of WebSockets with HTTP head-room kept idle', () => {
    expect(setting('ThreadsPerChild')).toBeLessThanOrEqual(setting('ThreadLimit'));
    expect(setting('ServerLimit') * setting('ThreadsPerChild')).toBe(setting('MaxRequestWorkers'));
    expect(setting('MaxRequestWorkers')).toBeGreaterThanOrEqual(5000 + setting('MinSpareThreads'));
    // Apache needs MaxSpareThreads >= MinSpareThreads + ThreadsPerChild, or it raises it itself.
    expect(setting('MaxSpareThreads')).toBeGreaterThanOrEqual(setting('MinSpareThreads') + setting('ThreadsPerChild'));
  });

  it('starts every child and stops none, so tunnels spread instead of filling children one by one', () => {
    // A child whose threads are all tunnels leaves its keep-alive connections waiting for a thread: with
    // children started on demand the door benchmark saw scans hang at 2,000 sockets (docs/operations.md).
    expect(setting('StartServers')).toBe(setting('ServerLimit'));
    expect(setting('MaxSpareThreads')).toBeGreaterThanOrEqual(setting('MaxRequestWorkers'));
  });

  it('uses no directive Apache 2.4 lacks (asynchronous tunnelling is trunk-only)', () => {
    expect(mpm).not.toMatch(/^\s*Proxy(Async|WebsocketAsync|WebsocketIdleTimeout)/m);
  });
});

describe('the php container', () => {
  const compose = parse(readFileSync(join(REPO_ROOT, 'compose.yaml'), 'utf8')) as {
    services: Record<string, { pids_limit?: number; ulimits?: { nofile?: { soft: number; hard: number } } }>;
  };
  const php = compose.services['asistencia-php']!;

  it('may start every thread of the door, and open two descriptors for each', () => {
    expect(php.pids_limit).toBeGreaterThan(setting('MaxRequestWorkers') + 100);
    expect(php.ulimits?.nofile?.soft).toBeGreaterThan(2 * setting('ThreadsPerChild') + 100);
  });
});
