// Drives Debian's Chromium (not a downloaded browser) for the browser tests. Each page gets its own fresh
// browser context (no cookies, storage or credentials shared between tests). In the browser project every
// file connects to one Chromium launched for the run (test/support/chromium-server.ts); elsewhere, or with
// switches of its own, a file launches its own, and everything it writes lives under one temporary
// directory that `close()` removes.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { inject } from 'vitest';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Download, type Page } from 'playwright-core';
import { portalToken } from './tokens.js';

const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const screenshotDir = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
export const builtPagesDir = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/**
 * The address bar's suggestion popups are web pages of their own (chrome://omnibox-popup.top-chrome), loaded
 * in a renderer for every new window, so for every browser context, although headless tests never type in an
 * address bar: without them a context costs about 0.17 s less CPU (docs/testing.md).
 */
const DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];
/**
 * Chromium keeps the last --disable-features it is given, so ours replaces the list Playwright passes (its
 * chromiumSwitches) instead of adding to it: that list is repeated here, and launchChromiumServer checks at
 * each launch that none of Playwright's is lost (a newer Playwright may disable more).
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay', 'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin', 'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
  'msForceBrowserSignIn', 'msEdgeUpdateLaunchServicesPreferredVersion',
];

/** The features an earlier --disable-features of `args` names that the last one does not (Chromium keeps the last). */
function featuresLost(args: readonly string[]): string[] {
  const lists = args.filter((arg) => arg.startsWith('--disable-features=')).map((arg) => arg.slice('--disable-features='.length).split(','));
  const kept = new Set(lists.at(-1) ?? []);
  return [...new Set(lists.flat())].filter((feature) => !kept.has(feature));
}

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...DISABLED_FEATURES].join(',')}`,
];

export interface PageOptions {
  /** Browser locale, e.g. 'es-ES' (the default) or 'en-GB'. */
  readonly locale?: string;
  /** Defaults to a phone-sized 390×844 viewport: the pages are mobile first. */
  readonly viewport?: { readonly width: number; readonly height: number };
  /** The device's time zone (IANA); the machine's by default. */
  readonly timezoneId?: string;
}

export interface BrowserHarness {
  readonly browser: Browser;
  /** A page in a brand-new context. */
  newPage(options?: PageOptions): Promise<Page>;
  /** Uncaught exceptions and `console.error` calls the page has produced so far. */
  pageErrors(page: Page): readonly string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** More Chromium switches, e.g. --ignore-certificate-errors-spki-list for a test's own certificate. */
  readonly args?: readonly string[];
}

function chromiumMissing(): Error {
  return new Error(
    `Chromium not found at ${chromiumPath}. Install it with \`apt-get install chromium\` ` +
      '(or point CHROMIUM_PATH at a Chromium binary).',
  );
}

/** Debian's Chromium, headless, writing only under `dataDir`. */
function launchSettings(dataDir: string, args: readonly string[]) {
  if (!existsSync(chromiumPath)) throw chromiumMissing();
  return {
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, ...args],
    downloadsPath: join(dataDir, 'downloads'),
    tracesDir: join(dataDir, 'traces'),
    env: { ...process.env, HOME: dataDir, XDG_CONFIG_HOME: dataDir, XDG_CACHE_HOME: dataDir },
  };
}

/** A Chromium that test files connect to (see chromium-server.ts); `close()` stops it and removes its files. */
export async function launchChromiumServer(): Promise<{ wsEndpoint: string; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'asistencia-chromium-'));
  const server = await chromium.launchServer(launchSettings(dataDir, []));
  const lost = featuresLost(server.process().spawnargs);
  if (lost.length > 0) {
    await server.close();
    throw new Error(`test/support/browser.ts: add ${lost.join(', ')} to PLAYWRIGHT_DISABLED_FEATURES (Playwright disables them; our list replaces its)`);
  }
  return {
    wsEndpoint: server.wsEndpoint(),
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The run's shared Chromium when there is one and no switches of its own are asked for; a new one otherwise. */
async function openBrowser(options: LaunchOptions): Promise<{ browser: Browser; dataDir?: string }> {
  const shared = options.args === undefined ? inject('chromiumEndpoint') : undefined;
  if (shared !== undefined) return { browser: await chromium.connect(shared) };
  const dataDir = await mkdtemp(join(tmpdir(), 'asistencia-chromium-'));
  const browser = await chromium.launch(launchSettings(dataDir, options.args ?? []));
  return { browser, dataDir };
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<BrowserHarness> {
  const { browser, dataDir } = await openBrowser(options);
  const contexts = new Set<BrowserContext>();
  const errors = new WeakMap<Page, string[]>();

  return {
    browser,
    async newPage({ locale = 'es-ES', viewport = { width: 390, height: 844 }, timezoneId }: PageOptions = {}) {
      const context = await browser.newContext({ locale, viewport: { ...viewport }, ...(timezoneId ? { timezoneId } : {}) });
      contexts.add(context);
      context.on('close', () => contexts.delete(context));
      const page = await context.newPage();
      const seen: string[] = [];
      errors.set(page, seen);
      page.on('pageerror', (error) => seen.push(error.message));
      page.on('console', (msg) => {
        // Chromium also logs every non-2xx response ("Failed to load resource"); a signed-out 401 is normal.
        if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) seen.push(msg.text());
      });
      return page;
    },
    pageErrors: (page) => errors.get(page) ?? [],
    async close() {
      await Promise.allSettled([...contexts].map((context) => context.close()));
      // A shared Chromium is only disconnected from; one of this file's own is stopped.
      await browser.close();
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A download's bytes, read through Playwright's stream (a connected browser keeps the file on its side,
 * so `download.path()` is not available there).
 */
export async function downloadedBytes(download: Download): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Saves a full-page PNG under node-service/test-artifacts/screenshots/ (gitignored); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * The code on a projector page, decoded from a picture of the code's area (with a margin) the way a phone
 * camera reads it; the whole screen is then kept as `name`'s screenshot, without waiting for it (the code
 * lives on meanwhile). Capturing and decoding a whole
 * 1920×1080 screen took seconds on a slow, busy machine, longer than a 2 s code lives. The page takes its
 * code down between one slot and the next whenever the next is late or still being drawn, so a reading that
 * finds no code, or half of one, looks again until `withinMs` has passed; only a code that never comes back
 * fails.
 */
export async function readProjectorQr(page: Page, name: string, withinMs = 10_000): Promise<string> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const code = await readQrOnce(page, Math.max(1, deadline - Date.now()));
    if (code) {
      void screenshot(page, name).catch(() => undefined);
      return code;
    }
    if (Date.now() > deadline) throw new Error(`no QR code on the projector for ${withinMs} ms (${name})`);
    await page.waitForTimeout(100);
  }
}

async function readQrOnce(page: Page, timeoutMs: number): Promise<string | null> {
  const box = await page.locator('#qr svg').boundingBox({ timeout: timeoutMs }).catch(() => null);
  if (!box) return null;
  const margin = 24;
  const clip = { x: Math.max(0, box.x - margin), y: Math.max(0, box.y - margin), width: box.width + 2 * margin, height: box.height + 2 * margin };
  const png = PNG.sync.read(await page.screenshot({ clip }));
  return jsQR.default(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data ?? null;
}

export interface VirtualAuthenticatorOptions {
  /** Whether the "user" passes the fingerprint/face check when asked. */
  readonly isUserVerified?: boolean;
  /** Whether the authenticator can hold discoverable credentials (passkeys). */
  readonly hasResidentKey?: boolean;
}

/** A credential as Chromium's DevTools protocol reports it (WebAuthn.Credential). */
interface VirtualCredential {
  readonly credentialId: string; // base64
  readonly isResidentCredential: boolean;
  readonly rpId?: string;
  readonly userHandle?: string; // base64
  readonly signCount: number;
  /** PKCS#8, base64: what a copy of the passkey needs. */
  readonly privateKey: string;
}

export interface VirtualAuthenticator {
  readonly id: string;
  credentials(): Promise<VirtualCredential[]>;
  /** Puts a copy of a credential (private key included) in this authenticator: a shared or copied passkey. */
  addCopy(credential: VirtualCredential): Promise<void>;
  setUserVerified(isUserVerified: boolean): Promise<void>;
  /** Deletes every passkey it holds, as a student deleting them in the phone's settings. */
  clearCredentials(): Promise<void>;
  remove(): Promise<void>;
}

/**
 * A platform authenticator (like a phone's fingerprint reader) inside the page's browser, through the
 * DevTools WebAuthn domain. Note: WebAuthn refuses IP addresses as relying party ids, so pages that use
 * passkeys must be opened at http://localhost:PORT, not http://127.0.0.1:PORT.
 */
export async function addVirtualAuthenticator(
  page: Page,
  { isUserVerified = true, hasResidentKey = true }: VirtualAuthenticatorOptions = {},
): Promise<VirtualAuthenticator> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey,
      hasUserVerification: true,
      isUserVerified,
      automaticPresenceSimulation: true,
    },
  });
  return {
    id: authenticatorId,
    async credentials() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials;
    },
    async addCopy(credential) {
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    },
    async setUserVerified(verified) {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: verified });
    },
    async clearCredentials() {
      await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
    },
    async remove() {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
}

/** Deletes the site's IndexedDB data (the phone key among it), as "clear site data" does, from a page of the site. */
export async function clearSiteData(page: Page): Promise<void> {
  // Run in the page (a string: the test's own TypeScript has no DOM types). The DevTools protocol's
  // Storage.clearDataForOrigin would do the same, but it also stops the virtual authenticator answering.
  await page.evaluate(`new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase('asistencia');
    request.onsuccess = () => resolve(undefined);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error('the database is still open in another tab'));
  })`);
}

/** Fills and sends the PHP portal's login form, once the page has been sent to it, as a demo user. */
export async function fillPortalLogin(page: Page, username: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === '/login.php');
  await page.getByLabel('Usuario').fill(username);
  await page.getByLabel('Contraseña').fill('demo1234');
  await page.getByRole('button', { name: 'Entrar' }).click();
}

/** Opens `path` signed out, signs in through the portal it is sent to, and waits to be back on `path`. */
export async function portalSignIn(page: Page, origin: string, path: string, username: string): Promise<void> {
  await page.goto(`${origin}${path}`);
  await fillPortalLogin(page, username);
  await page.waitForURL((url) => url.pathname === path);
}

/**
 * A page at `url` signed in as `user` without the portal: its token request (/token.php) is answered with a
 * portal-signed token for that user, as the portal would for the person signed in there.
 */
export async function pageSignedInAs(browser: BrowserHarness, user: { sub: string; role: string; name: string }, url: string, options: PageOptions = {}): Promise<Page> {
  const page = await browser.newPage(options);
  await page.context().route('**/token.php', async (route) =>
    route.fulfill({ json: { token: await portalToken(user), expiresAt: Math.floor(Date.now() / 1000) + 300 } }),
  );
  await page.goto(url);
  return page;
}
