import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, startApache, type RunningApache } from '../support/apache.js';
import { createTestDatabase, testKeyPrefix, type TestDatabase } from '../support/databases.js';
import { VALKEY_URL } from '../support/environment.js';
import { spawnService, TEST_JWT_SECRET, type SpawnedService } from '../support/service.js';
import { waitForReady } from '../support/spawn.js';
import { DOOR_INTERNAL_API_TOKEN } from './door.js';

/**
 * The client address node-service works with (rate limits per address, campus-network checks) is the one
 * Apache saw, never one the client wrote itself. Seen from outside, in the service's own request log
 * (`req.ip`): the service runs as its own process, as in production, and nothing is added to it for the
 * test.
 */
let database: TestDatabase;
let node: SpawnedService;
let apache: RunningApache;

beforeAll(async () => {
  database = await createTestDatabase();
  const [nodePort, internalPort] = (await freePorts(2)) as [number, number];
  node = spawnService(
    {
      DATABASE_URL: database.url,
      VALKEY_URL,
      VALKEY_KEY_PREFIX: testKeyPrefix(),
      JWT_SECRET: TEST_JWT_SECRET,
      INTERNAL_API_TOKEN: DOOR_INTERNAL_API_TOKEN,
      PORTAL_INTERNAL_URL: `http://127.0.0.1:${internalPort}`,
      TRUST_PROXY: '127.0.0.1,::1',
      LOG_LEVEL: 'info',
    },
    nodePort,
  );
  await waitForReady(`${node.baseUrl}/asistencia/ready`, 30_000, node.output);
  apache = await startApache({
    internalPort,
    node: `127.0.0.1:${nodePort}`,
    nodeInternalUrl: node.baseUrl,
    jwtSecret: TEST_JWT_SECRET,
    internalApiToken: DOOR_INTERNAL_API_TOKEN,
  });
}, 60_000);

afterAll(async () => {
  await apache?.stop();
  await node?.stop();
  await database?.drop();
});

/**
 * GET through Apache from a chosen local address, with the given extra headers; returns the request id
 * the service logged it under.
 */
function probe(localAddress: string, headers: Record<string, string>, baseUrl = apache.httpUrl): Promise<string> {
  const id = `door-probe-${randomBytes(6).toString('hex')}`;
  const url = new URL('/asistencia/api/me', baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress, agent: false, headers: { 'x-request-id': id, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 401 ? resolve(id) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The client address node-service logged for one request. */
async function loggedAddress(requestId: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    for (const line of node.output().split('\n')) {
      if (!line.includes(requestId)) continue;
      const entry = JSON.parse(line) as { req?: { id?: string; ip?: string } };
      if (entry.req?.id === requestId && entry.req.ip) return entry.req.ip;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`node-service logged no request ${requestId}:\n${node.output().slice(-3000)}`);
}

const spoofed = { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.6', forwarded: 'for=6.6.6.6' };

describe('the client address behind Apache', () => {
  it('ignores an X-Forwarded-For the client sent (Apache, a trusted proxy, would otherwise vouch for it)', async () => {
    // From 127.0.0.1, a trusted proxy address: had Apache passed "6.6.6.6, 127.0.0.1" on, Node would take 6.6.6.6.
    const id = await probe('127.0.0.1', spoofed);
    expect(await loggedAddress(id)).toBe('127.0.0.1');
  });

  it('(control) would be the forged one if the header reached node-service from a trusted address', async () => {
    // What the test above guards against: node-service trusts X-Forwarded-For from 127.0.0.1.
    const id = await probe('127.0.0.1', spoofed, node.baseUrl);
    expect(await loggedAddress(id)).toBe('6.6.6.6');
  });

  it('is the address Apache saw, not Apache’s own connection to the service', async () => {
    // Apache connects to Node from 127.0.0.1; this client connects to Apache from 127.0.0.2.
    const id = await probe('127.0.0.2', {});
    expect(await loggedAddress(id)).toBe('127.0.0.2');
  });
});
