import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiAs, draftSession } from '../support/api.js';
import { launchBrowser, type BrowserHarness } from '../support/browser.js';
import { startService, type RunningService } from '../support/service.js';
import { steppedClock } from '../support/stepped-clock.js';
import { portalToken, users } from '../support/tokens.js';

/**
 * The service ends a socket at its token's `exp`; the pages send a fresh token before then. Chromium runs
 * the projector page against the real service; the portal's `/token.php` is played by the test, handing out
 * tokens that live as long as the portal's do by default. Nobody waits for a token to age: the service
 * judges tokens and times a socket's end on a clock the test steps (`clock` and `tokenClock`), and the
 * page's clock (`page.clock`) is stepped with it, so the page's renewal timer fires when the test says.
 * Checked once by removing each defence: without the page's planned renewal (`planRenewal` in
 * web/src/lib/ws.ts doing nothing) no fresh token comes and the first test fails; without the service's
 * timer at `exp` (gateway.ts `holdUntilExpiry`) the second test's socket outlives its token and it fails.
 */
const TOKEN_LIFE_SECONDS = 300; // php-legacy's JWT_TTL_SECONDS default
/** How long before a token's `exp` the test steps to and then waits for the page's renewal, in real time. */
const RENEWAL_MARGIN_MS = 20_000;

/** What the page's sockets sent and received, recorded in the page (so in step with its own clock). */
interface SocketLog {
  sent: string[];
  received: Array<{ type: string; code?: string; inReplyTo?: string; expiresAt?: number }>;
  closes: number[];
}

/**
 * Records every socket's frames and close codes in `window.socketLog`, before the page's scripts run (a
 * string: the tests compile without the DOM's types).
 */
const recordSockets = `
  const log = { sent: [], received: [], closes: [] };
  window.socketLog = log;
  const parse = (data) => { try { return JSON.parse(String(data)); } catch { return { type: '?' }; } };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (event) => log.received.push(parse(event.data)));
      this.addEventListener('close', (event) => log.closes.push(event.code));
    }
    send(data) {
      log.sent.push(parse(data).type);
      super.send(data);
    }
  };
`;

const socketLog = async (page: Page) => (await page.evaluate('window.socketLog')) as SocketLog;
const pageTime = async (page: Page) => (await page.evaluate('Date.now()')) as number;

describe('a page keeps its socket past its token’s exp by re-authenticating', () => {
  const clock = steppedClock();
  let service: RunningService;
  let browser: BrowserHarness;
  /** A session with a round running per test, made before any step (the API's test tokens are dated now). */
  let sessions: string[];

  beforeAll(async () => {
    service = await startService({ clock, tokenClock: clock });
    browser = await launchBrowser();
    const teacher = apiAs(service.baseUrl, users.teacher);
    sessions = [];
    for (let i = 0; i < 2; i += 1) {
      // The shortest rotation: after a step the page shows a code again at the next frame, within a second.
      const { body } = await teacher.post('/api/sessions', draftSession({ rotationPeriodMs: 1000 }));
      await teacher.post(`/api/sessions/${body.id}/open`);
      await teacher.post(`/api/sessions/${body.id}/rounds`);
      sessions.push(body.id as string);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  /**
   * The portal's token endpoint, as the page calls it (same origin): tokens dated on the service's clock.
   * Once `renewing` is false it hands out its last token again, as if the portal had stopped renewing.
   */
  const playPortal = async (page: Page, renewing: boolean) => {
    let last: { token: string; expiresAt: number } | undefined;
    await page.route('**/token.php', async (route) => {
      if (!last || renewing) {
        const issuedAt = Math.floor(clock.now() / 1000);
        const expiresAt = issuedAt + TOKEN_LIFE_SECONDS;
        last = { token: await portalToken(users.teacher, { iat: issuedAt, nbf: issuedAt, exp: expiresAt }), expiresAt };
      }
      await route.fulfill({ json: last });
    });
  };

  /** The projector page of a session, its clock on the service's, its sockets recorded. */
  async function projectorPage(sessionId: string, renewing: boolean): Promise<{ page: Page; sockets: Array<{ closed: boolean }> }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.clock.install({ time: clock.now() });
    await page.addInitScript({ content: recordSockets });
    await playPortal(page, renewing);
    const sockets: Array<{ closed: boolean }> = [];
    page.on('websocket', (socket) => {
      const seen = { closed: false };
      sockets.push(seen);
      socket.on('close', () => (seen.closed = true));
    });
    await page.goto(`${service.baseUrl}/asistencia/projector/?session=${sessionId}`);
    await page.locator('#qr svg').waitFor({ state: 'visible', timeout: 10_000 });
    return { page, sockets };
  }

  /**
   * Moves the service's clock and the page's to `at`: the service's first, so a token the page fetches on
   * the way is dated at the new time; then the page's, firing its timers that fell due (each at most once).
   */
  async function stepTo(page: Page, at: number): Promise<void> {
    clock.advanceTo(at);
    const pageNow = await pageTime(page);
    if (at > pageNow) await page.clock.fastForward(at - pageNow);
  }

  const count = (types: readonly string[], type: string) => types.filter((t) => t === type).length;

  /** The newest `auth.ok`'s expiry, once it is past `after`, every ping is answered and no socket has closed. */
  async function settledExpiry(page: Page, after: number): Promise<number> {
    let expiresAt = 0;
    await expect
      .poll(
        async () => {
          const log = await socketLog(page);
          expiresAt = Math.max(0, ...log.received.filter((m) => m.type === 'auth.ok').map((m) => m.expiresAt ?? 0));
          const unansweredPings = Math.max(0, count(log.sent, 'ping') - count(log.received.map((m) => m.type), 'pong'));
          return { renewedPast: expiresAt > after, unansweredPings, closes: log.closes };
        },
        { timeout: 15_000, interval: 100 },
      )
      .toEqual({ renewedPast: true, unansweredPings: 0, closes: [] });
    return expiresAt;
  }

  test('the projector sends a fresh token on the same socket before each exp, and is never closed', async () => {
    const { page, sockets } = await projectorPage(sessions[0]!, true);
    const expiries = [await settledExpiry(page, 0)];
    // Three token lives: each time to shortly before the current token's end, where a fresh one must be in.
    for (let life = 1; life <= 3; life += 1) {
      await stepTo(page, expiries.at(-1)! - RENEWAL_MARGIN_MS);
      expiries.push(await settledExpiry(page, expiries.at(-1)!));
    }
    // A minute past the third token's exp: the socket still answers. The step is longer than the page's
    // heartbeat, so the page sends a ping on the way; its pong comes back on the same socket.
    const pingsBefore = count((await socketLog(page)).sent, 'ping');
    await stepTo(page, expiries[2]! + 60_000);
    await expect
      .poll(
        async () => {
          const log = await socketLog(page);
          const pings = count(log.sent, 'ping');
          return { pinged: pings > pingsBefore, answered: count(log.received.map((m) => m.type), 'pong') >= pings, closes: log.closes };
        },
        { timeout: 15_000, interval: 100 },
      )
      .toEqual({ pinged: true, answered: true, closes: [] });

    const log = await socketLog(page);
    expect(count(log.sent, 'auth')).toBe(4);
    expect(log.received.filter((m) => m.type === 'error')).toEqual([]);
    expect(log.closes).toEqual([]);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.closed).toBe(false);
    await page.locator('#qr svg').waitFor({ state: 'visible', timeout: 5000 });
    expect(browser.pageErrors(page)).toEqual([]);
  }, 90_000);

  test('with no fresh token to send, the socket is closed at its token’s exp (4401 AUTH_TOKEN_EXPIRED)', async () => {
    const { page, sockets } = await projectorPage(sessions[1]!, false);
    const expiresAt = await settledExpiry(page, 0);
    // Past the point where the page tries to renew (it gets the same token back, so sends nothing).
    await stepTo(page, expiresAt - RENEWAL_MARGIN_MS);
    expect((await socketLog(page)).closes).toEqual([]);

    await stepTo(page, expiresAt + 1000);
    await expect.poll(async () => (await socketLog(page)).closes[0], { timeout: 15_000, interval: 100 }).toBe(4401);
    const log = await socketLog(page);
    expect(log.received.find((m) => m.type === 'error')).toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
    expect(count(log.sent, 'auth')).toBeGreaterThanOrEqual(1);
    expect(sockets[0]!.closed).toBe(true);
  }, 90_000);
});
