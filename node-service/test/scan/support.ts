import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { expect } from 'vitest';
import { apiAs, draftSession, type ApiResponse } from '../support/api.js';
import type { AssertOverrides } from '../support/authenticator.js';
import { challengeProof, type Phone } from '../support/phone.js';
import { enrollment, phoneFor, type TestUser } from '../enrollment/support.js';
import type { RunningService } from '../support/service.js';
import { portalToken, users } from '../support/tokens.js';
import { openSocket, type TestSocket } from '../support/ws-client.js';

/** The service runs on this machine's clock. */
const untilServerTime = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now() + 2)));

/**
 * Until the service's time is `at`: a step of its clock when the test steps it (startService's `clock`), a
 * wait for this machine's clock otherwise.
 */
export async function reachServerTime(service: Pick<RunningService, 'clock'>, at: number): Promise<void> {
  if (service.clock) service.clock.advanceTo(at + 2);
  else await untilServerTime(at);
}

/** A teacher's session with a round running, and a projector showing it: where live codes come from. */
export async function liveSession(
  service: RunningService,
  overrides: Record<string, unknown> = {},
  owner: { sub: string; role: string; name: string } = users.teacher,
) {
  const teacher = apiAs(service.baseUrl, owner);
  const created = await teacher.post('/api/sessions', draftSession({ rotationPeriodMs: 2000, ...overrides }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  // The next frame may be a whole rotation away (the newest was already used): wait that long, and a margin.
  const frameWaitMs = Number(created.body.rotationPeriodMs) + 4000;
  await teacher.post(`/api/sessions/${id}/open`);
  await teacher.post(`/api/sessions/${id}/rounds`);
  const projector = await projectorFor(service, id, owner);
  return {
    id,
    teacher,
    projector,
    /**
     * The next code the screen shows (token, and the typed fallback when enabled), once its slot has begun:
     * frames are delivered ahead and the projector shows them from slotStartsAt, as this does.
     */
    async screen(round?: number): Promise<{ token: string; fallbackCode: string | null; slot: number; expiresAt: number }> {
      // The newest frame received (older ones may have expired while the test did other things), of the
      // round asked for: after a new round starts, the old round's frame delivered ahead is dead.
      const ofRound = (frame: Record<string, unknown>) => round === undefined || frame.round === round;
      let frame = projector.drain('qr').filter(ofRound).at(-1);
      while (!frame) {
        const next = await projector.next('qr', frameWaitMs);
        if (ofRound(next)) frame = next;
      }
      await reachServerTime(service, frame.slotStartsAt as number);
      return {
        token: String(frame.url).split('#')[1]!,
        fallbackCode: frame.fallbackCode as string | null,
        slot: frame.slot as number,
        expiresAt: frame.expiresAt as number,
      };
    },
    close: () => projector.close(),
  };
}

export async function projectorFor(
  service: RunningService,
  sessionId: string,
  owner: { sub: string; role: string; name: string } = users.teacher,
): Promise<TestSocket> {
  const socket = await openSocket(`${service.baseUrl.replace('http', 'ws')}/asistencia/ws`);
  socket.send({ type: 'auth', token: await portalToken(owner) });
  await socket.next('auth.ok');
  socket.send({ type: 'projector.subscribe', sessionId });
  await socket.next('projector.state');
  return socket;
}

/** A student's phone with an enrolled passkey, bound to its phone key. */
export async function enrolledPhone(service: RunningService, student: TestUser): Promise<Phone> {
  const phone = phoneFor(service);
  await enrollment(service, student).enroll(phone);
  return phone;
}

/** The public scan API, as the scan page calls it: no portal token. */
export function scanner(service: RunningService, headers: Record<string, string> = {}) {
  const post = async (path: string, body: unknown): Promise<ApiResponse> => {
    const response = await fetch(`${service.baseUrl}/asistencia/api/scan/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json(), headers: response.headers };
  };
  const challenge = (body: { token: string } | { code: string }, phone: Phone) =>
    post('challenge', { ...body, phone: challengeProof(phone.phoneKey, 'token' in body ? body.token : `code:${body.code}`) });
  const confirm = (offer: ApiResponse, assertion: unknown, phone: Phone) =>
    post('confirm', {
      challengeId: offer.body.challengeId,
      assertion,
      phoneSignature: phone.phoneKey.sign('scan-confirm', offer.body.challengeId, (offer.body.options as { challenge: string }).challenge),
    });
  return {
    post,
    /** Step one, as `phone` asks: the code and a fresh nonce, signed by its phone key. */
    challenge,
    /** Step two for an offer, signed by `phone`'s phone key, with `assertion` (any passkey's). */
    confirm,
    /** Both steps with `phone`; returns the confirmation answer. */
    async scan(token: string, phone: Phone, overrides: AssertOverrides = {}): Promise<ApiResponse> {
      const offer = await challenge({ token }, phone);
      expect(offer.status, JSON.stringify(offer.body)).toBe(200);
      return confirm(offer, phone.assert(offer.body.options as PublicKeyCredentialRequestOptionsJSON, overrides), phone);
    },
  };
}

export function expectRefused(answer: ApiResponse, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.error?.code }, JSON.stringify(answer.body)).toEqual({ status, code });
  expect(answer.body.error.message).toMatch(/\S/);
}

export async function validationCount(service: RunningService, sessionId: string): Promise<number> {
  const { rows } = await service.db.query<{ n: number }>('SELECT count(*)::int AS n FROM attendance.validations WHERE session_id = $1', [sessionId]);
  return rows[0]!.n;
}

/**
 * Runs `requests` one after another while a transaction holds the session's row lock, each started once the
 * one before is queued behind that lock, then lets them all go: the order PostgreSQL serves them in is the
 * order given. Answers in that order.
 */
export async function behindSessionLock(
  service: RunningService,
  sessionId: string,
  requests: readonly (() => Promise<ApiResponse>)[],
): Promise<ApiResponse[]> {
  const waitingOnLocks = async () => {
    const { rows } = await service.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return rows[0]!.n;
  };
  const started: Promise<ApiResponse>[] = [];
  await service.db.transaction(async (tx) => {
    await tx.query('SELECT id FROM attendance.sessions WHERE id = $1 FOR UPDATE', [sessionId]);
    for (const request of requests) {
      started.push(request());
      const deadline = Date.now() + 5000;
      while ((await waitingOnLocks()) < started.length) {
        if (Date.now() > deadline) throw new Error(`request ${started.length} never queued behind the session lock`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  });
  return Promise.all(started);
}
