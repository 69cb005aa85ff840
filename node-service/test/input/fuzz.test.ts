import { randomInt } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { draftSession } from '../support/api.js';
import { malformedMessage, RequestFuzzer, routesFrom, seededRandom, type FuzzRequest, type OpenApiDocument, type RouteSpec } from '../support/fuzz.js';
import { startService, type RunningService } from '../support/service.js';
import { DOOR_INTERNAL_API_TOKEN, startDoor } from '../door/door.js';
import { mislabelledToken, portalToken, unsignedToken, users } from '../support/tokens.js';

/**
 * Malformed requests over every HTTP route of the OpenAPI document (so a new route is fuzzed without
 * touching this file) and over the WebSocket, before and after authentication. Nothing may answer 5xx
 * (or close a socket with 1011, or send INTERNAL_ERROR), nothing malformed may be accepted, and no row of
 * any table may change, in process and through the door (Apache and the real portal). Seeded: FUZZ_SEED
 * repeats a run; FUZZ_REQUESTS, FUZZ_DOOR_REQUESTS and FUZZ_WS_MESSAGES set its size.
 * Checked against the defences: without shared/http/input-guard.ts it finds 500s (NUL reaching PostgreSQL)
 * and accepted writes; without the host-bits rule of shared/networks.ts, 500s on POST /api/sessions.
 */
const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
const HTTP_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const WS_MESSAGES = Number(process.env.FUZZ_WS_MESSAGES ?? 1_000);
const DEV_REQUESTS = Math.max(1, Math.floor(HTTP_REQUESTS / 5));
const DOOR_REQUESTS = Number(process.env.FUZZ_DOOR_REQUESTS ?? HTTP_REQUESTS);
const CONCURRENCY = 8;
/** The limits would answer 429 before the input is even read: lifted, so every request is examined. */
const LIFTED_LIMITS = {
  RATE_LIMIT_USER_PER_MINUTE: '100000',
  RATE_LIMIT_PUBLIC_PER_MINUTE: '100000',
  RATE_LIMIT_SCAN_PER_MINUTE: '1000000',
  FALLBACK_CODE_FAILURES_PER_MINUTE: '1000',
};
const INTERNAL = 'internal-token-for-the-fuzz-test-0123456789abcdef';
/** Routes the OpenAPI document hides (pages, docs, metrics, the socket's HTTP side): read-only, fuzzed too. */
const HIDDEN_ROUTES: RouteSpec[] = ['/asistencia/metrics', '/asistencia/docs', '/asistencia/docs/json', '/asistencia/ws', '/asistencia/'].map(
  (path) => ({ method: 'GET', path, params: [], query: [], security: null }),
);

let service: RunningService;
let sessionIds: string[];
let badTokens: string[];

beforeAll(async () => {
  process.stdout.write(`fuzz seed ${SEED} (repeat with FUZZ_SEED=${SEED}); ${HTTP_REQUESTS} HTTP requests, ${WS_MESSAGES} WebSocket messages\n`);
  service = await startService({
    env: { ...LIFTED_LIMITS, INTERNAL_API_TOKEN: INTERNAL },
  });
  sessionIds = await seedRows(service);
  const now = Math.floor(Date.now() / 1000);
  badTokens = await Promise.all([
    portalToken(users.teacher, { exp: now - 60, iat: now - 400, nbf: now - 400 }),
    portalToken(users.admin, { secret: 'another-secret-that-is-long-enough-0123456789' }),
    portalToken(users.teacher, { iss: 'someone-else' }),
    portalToken(users.teacher, { aud: 'another-service' }),
    portalToken(users.teacher, { nbf: now + 600, iat: now }),
    portalToken(users.student, { iat: now - 100_000, exp: now + 300 }),
    unsignedToken(users.admin),
    mislabelledToken(users.admin),
    'eyJhbGciOiJIUzI1NiJ9.e30.' + 'A'.repeat(43),
    'a.b.c',
  ]);
}, 60_000);
afterAll(() => service?.stop());

/** Rows in every table the fuzz could touch: sessions scheduled, running a round, closed and corrected. */
async function seedRows(target: RunningService): Promise<string[]> {
  const as = async (user: typeof users.teacher, method: 'GET' | 'POST', url: string, payload?: object) => {
    const answer = await target.app.server.inject({ method, url: `/asistencia${url}`, headers: { authorization: `Bearer ${await portalToken(user)}` }, payload });
    expect(answer.statusCode, `${url}: ${answer.body}`).toBeLessThan(300);
    return answer.json();
  };
  const scheduled = await as(users.teacher, 'POST', '/api/sessions', draftSession({ allowedNetworks: ['10.20.0.0/16'] }));
  const running = await as(users.teacher, 'POST', '/api/sessions', draftSession({ fallbackCodeEnabled: true }));
  await as(users.teacher, 'POST', `/api/sessions/${running.id}/open`);
  await as(users.teacher, 'POST', `/api/sessions/${running.id}/rounds`);
  const closed = await as(users.teacher, 'POST', '/api/sessions', draftSession());
  await as(users.teacher, 'POST', `/api/sessions/${closed.id}/open`);
  await as(users.teacher, 'POST', `/api/sessions/${closed.id}/students/3/correction`, { status: 'excused', reason: 'Justificante médico' });
  await as(users.teacher, 'POST', `/api/sessions/${closed.id}/close`);
  return [scheduled.id, running.id, closed.id];
}

const databaseChecksum = () => checksumOf(service);

/** Every table of every schema, each as its row count and a hash of its rows in a stable order. */
async function checksumOf(target: RunningService): Promise<Record<string, string>> {
  const { rows: tables } = await target.db.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  const sums: Record<string, string> = {};
  for (const { name } of tables) {
    // An admin's read of a student's data is audited by design, even of an id nobody has: a well-formed
    // read (the fuzzer sends some) adds a 'read' row. Everything else must stay as it was.
    const only = name === 'privacy.audit' ? ` WHERE t.action <> 'read'` : '';
    const { rows } = await target.db.query<{ n: number; sum: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS sum FROM ${name} t${only}`,
    );
    sums[name] = `${rows[0]!.n} rows, ${rows[0]!.sum}`;
  }
  return sums;
}

type Answer = { statusCode: number; body: string };
/** In-process, as far as Fastify's own parsing (no socket). */
const injected = (target: RunningService) => async (request: FuzzRequest): Promise<Answer> =>
  target.app.server.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, payload: request.payload });

/**
 * Over HTTP to `origin` (Apache's public port): the door parses and forwards it first. Requests share
 * keep-alive sockets; Apache closes a socket after some refusals (400, 411, 413 and 414 drop the connection,
 * with `Connection: close`), and a request already on its way on such a socket fails on the client's side
 * (a hang-up, or Node's parser refusing bytes after `Connection: close`): it is sent again once, on a socket
 * of its own. Only an answer from the door is judged; the checksum still proves nothing changed.
 */
const overHttp = (origin: string) => async (request: FuzzRequest): Promise<Answer> => {
  try {
    return await sendOverHttp(origin, request, doorAgent);
  } catch {
    return sendOverHttp(origin, request, false);
  }
};
const sendOverHttp = (origin: string, request: FuzzRequest, agent: Agent | false): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const sent = httpRequest(`${origin}${request.url}`, { method: request.method, headers: request.headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(request.payload);
  });
const doorAgent = new Agent({ keepAlive: true, maxSockets: 16 });

/** Sends `count` malformed requests, CONCURRENCY at a time: none ≥ 500, none accepted, no row changed. */
async function fuzzHttp(
  target: RunningService,
  count: number,
  seed: number,
  portalTokens: string[],
  checksum: () => Promise<Record<string, string>>,
  deliver: (request: FuzzRequest) => Promise<Answer> = injected(target),
  ids: { sessionIds: string[]; internalToken: string } = { sessionIds, internalToken: INTERNAL },
) {
  const doc = (await target.app.server.inject({ method: 'GET', url: '/asistencia/docs/json' })).json() as OpenApiDocument;
  const routes = [...routesFrom(doc), ...HIDDEN_ROUTES];
  expect(routes.length).toBeGreaterThan(25);
  const fuzzer = new RequestFuzzer(seededRandom(seed), routes, {
    byName: {
      id: ids.sessionIds,
      studentId: ['2', '3', '4'],
      courseId: ['MAT101'],
      deviceId: [1, 2],
      userId: ['1', '2', '5'],
      room: ['Aula 204'],
      plannedStart: [new Date().toISOString()],
      plannedEnd: [new Date(Date.now() + 90 * 60_000).toISOString()],
      rotationPeriodMs: [3000],
      graceMs: [0, 1000],
      lateAfterMinutes: [15],
      reason: ['Justificante médico'],
      allowedNetworks: [['10.20.0.0/16'], [], ['2001:db8::/32']],
    },
    portalTokens,
    internalToken: ids.internalToken,
    badTokens,
    mustRefuse: { allowedNetworks: [['10.20.0.1/16'], ['10.0.0.0/8', '2001:db8::1/32'], ['192.168.1.7/24']] },
  });
  const requests = Array.from({ length: count }, () => fuzzer.next());
  const before = await checksum();

  const failures: string[] = [];
  const accepted: string[] = [];
  const statuses = new Map<number, number>();
  const fired = new Set<string>();
  const send = async (request: FuzzRequest) => {
    const answer = await deliver(request);
    statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
    fired.add(request.flaw.split(':')[0]!);
    if (answer.statusCode >= 500) failures.push(`${answer.statusCode} ← ${request.flaw}\n   ${request.method} ${request.url.slice(0, 200)} ${request.payload?.slice(0, 300) ?? ''}\n   ${answer.body.slice(0, 300)}`);
    else if (answer.statusCode < 300 && !['GET', 'HEAD'].includes(request.method)) accepted.push(`${answer.statusCode} ← ${request.flaw}`);
  };
  for (let next = 0; next < requests.length; next += CONCURRENCY) {
    await Promise.all(requests.slice(next, next + CONCURRENCY).map(send));
  }

  process.stdout.write(`fuzz seed ${seed}: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}\n`);
  expect(failures, `seed ${SEED}: answers ≥ 500 (repeat with FUZZ_SEED=${SEED})\n${failures.slice(0, 20).join('\n')}`).toEqual([]);
  expect(accepted, `seed ${SEED}: malformed requests accepted\n${accepted.slice(0, 20).join('\n')}`).toEqual([]);
  expect(await checksum()).toEqual(before);
  // Every route was drawn (a small count may not reach them all).
  if (count >= 2_000) expect([...fired].sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
}

/** A portal-style token from the development sign-in, as the pages get one. */
async function devToken(dev: RunningService, userId: string): Promise<string> {
  const signIn = await dev.app.server.inject({ method: 'POST', url: '/asistencia/dev/sign-in', payload: { userId } });
  expect(signIn.statusCode, signIn.body).toBe(200);
  const cookie = signIn.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const token = await dev.app.server.inject({ method: 'GET', url: '/asistencia/dev/token', headers: { cookie } });
  return (token.json() as { token: string }).token;
}

describe('fuzz: malformed input never answers 5xx and changes nothing', () => {
  it(`HTTP: every route of the OpenAPI document, ${HTTP_REQUESTS} malformed requests`, async () => {
    const portalTokens = await Promise.all([users.teacher, users.otherTeacher, users.student, users.admin].map((user) => portalToken(user)));
    await fuzzHttp(service, HTTP_REQUESTS, SEED, portalTokens, databaseChecksum);
  }, 300_000);

  it(`HTTP in development mode (its sign-in routes too), ${DEV_REQUESTS} malformed requests`, async () => {
    const dev = await startService({ env: { ...LIFTED_LIMITS, JWT_SECRET: undefined, INTERNAL_API_TOKEN: INTERNAL } });
    try {
      const tokens = await Promise.all(['1', '6', '2', '5'].map((userId) => devToken(dev, userId)));
      const checksum = () => checksumOf(dev);
      await fuzzHttp(dev, DEV_REQUESTS, SEED ^ 0xdef, tokens, checksum);
    } finally {
      await dev.stop();
    }
  }, 120_000);

  // Issue 25: the fuzz that found 503 DIRECTORY_UNAVAILABLE went through the door, with the real portal
  // answering the service's directory questions: the same requests, through Apache to a service whose
  // directory is the PHP portal behind Apache's internal listener.
  it(`HTTP through the door (Apache, and the real portal as the directory), ${DOOR_REQUESTS} malformed requests`, async () => {
    const door = await startDoor({ env: LIFTED_LIMITS });
    try {
      const ids = await seedRows(door.service);
      const portalTokens = await Promise.all([users.teacher, users.otherTeacher, users.student, users.admin].map((user) => portalToken(user)));
      const checksum = () => checksumOf(door.service);
      const deliver = overHttp(door.apache.httpUrl);
      await fuzzHttp(door.service, DOOR_REQUESTS, SEED ^ 0xd00, portalTokens, checksum, deliver, { sessionIds: ids, internalToken: DOOR_INTERNAL_API_TOKEN });
    } finally {
      doorAgent.destroy();
      await door.stop();
    }
  }, 600_000);

  it(`WebSocket: malformed messages before and after authentication, ${WS_MESSAGES} in all`, async () => {
    const random = seededRandom(SEED ^ 0x5eed);
    const url = `ws://127.0.0.1:${service.port}/asistencia/ws`;
    const before = await databaseChecksum();
    const problems: string[] = [];
    const beforeAuth = Math.floor(WS_MESSAGES * 0.3);

    // As the first message: the socket is closed with a protocol code, never 1011 or INTERNAL_ERROR.
    const firstMessages = Array.from({ length: beforeAuth }, (_, i) =>
      i % 25 === 0 ? 'x'.repeat(service.config.limits.wsMaxMessageBytes + 1) : malformedMessage(random, sessionIds, badTokens),
    );
    for (let next = 0; next < firstMessages.length; next += CONCURRENCY) {
      await Promise.all(
        firstMessages.slice(next, next + CONCURRENCY).map(async (message) => {
          const { code, received } = await firstMessageOutcome(url, message);
          if (![4400, 4401, 1009].includes(code) || received.some((m) => m.code === 'INTERNAL_ERROR')) {
            problems.push(`before auth: ${JSON.stringify(String(message)).slice(0, 120)} → close ${code} ${JSON.stringify(received)}`);
          }
        }),
      );
    }

    // After authentication, as every role: each message answered (error or pong), the socket kept open.
    const afterAuth = WS_MESSAGES - beforeAuth;
    const roles = [users.teacher, users.otherTeacher, users.student, users.admin];
    await Promise.all(
      roles.map(async (user, index) => {
        // The admin may project any session: it gets no real ids, so its subscriptions stay malformed.
        const ids = user === users.admin || user === users.teacher ? [crypto.randomUUID()] : sessionIds;
        // Oversized messages close the socket (1009, shown before authentication): not sent here.
        const messages = Array.from({ length: Math.ceil(afterAuth / roles.length) }, () => malformedMessage(random, ids, badTokens)).filter(
          (message) => Buffer.byteLength(message) <= service.config.limits.wsMaxMessageBytes,
        );
        const outcome = await authenticatedOutcome(url, await portalToken(user), messages);
        if (outcome.closed !== null) problems.push(`after auth (${user.role} ${index}): closed ${outcome.closed}`);
        const internal = outcome.received.filter((m) => m.code === 'INTERNAL_ERROR');
        if (internal.length > 0) problems.push(`after auth (${user.role}): ${internal.length} INTERNAL_ERROR, e.g. ${JSON.stringify(internal[0])}`);
        const qr = outcome.received.filter((m) => m.type === 'qr' || m.type === 'projector.state');
        if (qr.length > 0) problems.push(`after auth (${user.role}): a malformed subscription was accepted`);
      }),
    );

    expect(problems, `seed ${SEED} (repeat with FUZZ_SEED=${SEED})\n${problems.slice(0, 20).join('\n')}`).toEqual([]);
    expect(await databaseChecksum()).toEqual(before);
  }, 120_000);
});

interface Received {
  type?: string;
  code?: string;
}

/** Opens a socket, sends one message first, and waits for the server to close it. */
function firstMessageOutcome(url: string, message: string | Buffer): Promise<{ code: number; received: Received[] }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const received: Received[] = [];
    const timer = setTimeout(() => {
      socket.terminate();
      resolve({ code: -1, received });
    }, 10_000);
    socket.on('open', () => socket.send(message, { binary: Buffer.isBuffer(message) }));
    socket.on('message', (data) => received.push(JSON.parse(data.toString()) as Received));
    socket.on('error', (error) => received.push({ type: 'client-error', code: error.message }));
    socket.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, received });
    });
    socket.on('unexpected-response', () => reject(new Error('no WebSocket upgrade')));
  });
}

/** Authenticates, sends every message, then a ping: the pong says all were handled, in order. */
function authenticatedOutcome(url: string, token: string, messages: Array<string | Buffer>): Promise<{ closed: string | null; received: Received[] }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const received: Received[] = [];
    const timer = setTimeout(() => {
      socket.terminate();
      resolve({ closed: 'no pong within 60 s', received });
    }, 60_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token })));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Received;
      received.push(message);
      if (message.type === 'auth.ok' && received.length === 1) {
        for (const item of messages) socket.send(item, { binary: Buffer.isBuffer(item) });
        socket.send(JSON.stringify({ type: 'ping' }));
      } else if (message.type === 'pong' && received.filter((m) => m.type === 'pong').length >= 1 && pendingPongs(messages, received)) {
        clearTimeout(timer);
        socket.close();
        resolve({ closed: null, received });
      }
    });
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ closed: `${code} ${reason.toString()}`, received });
    });
  });
}

/** True once the final ping's pong arrived (malformed messages may have been pings with extra fields). */
function pendingPongs(messages: Array<string | Buffer>, received: Received[]): boolean {
  const pingsSent = messages.filter((m) => typeof m === 'string' && isPing(m)).length + 1;
  return received.filter((m) => m.type === 'pong').length >= pingsSent;
}

function isPing(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { type?: unknown };
    return parsed !== null && typeof parsed === 'object' && parsed.type === 'ping';
  } catch {
    return false;
  }
}
