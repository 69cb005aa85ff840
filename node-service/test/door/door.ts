import {
  csrfTokenIn,
  fetchPortalToken,
  formBody,
  freePorts,
  portalLogin,
  request,
  startApache,
  type HttpResponse,
  type RunningApache,
} from '../support/apache.js';
import { startService, TEST_JWT_SECRET, type RunningService } from '../support/service.js';

/**
 * The whole single door for one test file: real Apache (event MPM) and php-fpm (the portal) in front of the real
 * node-service in this process, on real PostgreSQL and Valkey. PHP and Node share one JWT secret and one
 * internal credential, as in production.
 *
 * Each side must know the other's address: Node calls the portal's internal listener (courses, rosters)
 * and the portal posts revocations to Node. The internal port is chosen first, so Node can start with
 * PORTAL_INTERNAL_URL already set and Apache then starts pointing at the port Node listens on.
 */
export const DOOR_INTERNAL_API_TOKEN = 'door-internal-credential-0123456789abcdef';

export interface Door {
  apache: RunningApache;
  service: RunningService;
  /** Where a browser reaches the door. */
  origin: string;
  stop(): Promise<void>;
}

/**
 * `publicAsLocalhost`: Apache's HTTP port is chosen first and Node's PUBLIC_URL is `http://localhost:<it>`,
 * as browser tests need (WebAuthn refuses an IP address as relying party id; the QR's URL is that origin).
 * `mpm`: the door's size (see startApache); the test size unless a test is about capacity.
 */
export async function startDoor(
  options: { env?: Record<string, string>; publicAsLocalhost?: boolean; mpm?: 'production' | 'test' } = {},
): Promise<Door> {
  const [internalPort, localhostPort] = (await freePorts(2)) as [number, number];
  const httpPort = options.publicAsLocalhost ? localhostPort : undefined;
  const service = await startService({
    env: {
      JWT_SECRET: TEST_JWT_SECRET,
      INTERNAL_API_TOKEN: DOOR_INTERNAL_API_TOKEN,
      PORTAL_INTERNAL_URL: `http://127.0.0.1:${internalPort}`,
      TRUST_PROXY: '127.0.0.1,::1',
      ...(httpPort ? { PUBLIC_URL: `http://localhost:${httpPort}` } : {}),
      ...options.env,
    },
  });
  let apache: RunningApache;
  try {
    apache = await startApache({
      ...(httpPort ? { httpPort } : {}),
      internalPort,
      node: `127.0.0.1:${service.port}`,
      nodeInternalUrl: service.baseUrl,
      jwtSecret: TEST_JWT_SECRET,
      internalApiToken: DOOR_INTERNAL_API_TOKEN,
      // One body limit, node-service's, as the containers share BODY_LIMIT_BYTES.
      bodyLimitBytes: service.config.limits.bodyBytes,
      justificationBodyLimitBytes: service.config.justifications.bodyLimitBytes,
      ...(options.mpm ? { mpm: options.mpm } : {}),
    });
  } catch (error) {
    await service.stop();
    throw error;
  }
  if (apache.internalUrl !== service.config.portal.internalUrl) {
    await Promise.all([apache.stop(), service.stop()]);
    throw new Error(`Apache's internal listener ${apache.internalUrl} is not where Node looks for the portal`);
  }
  return {
    apache,
    service,
    origin: httpPort ? `http://localhost:${httpPort}` : apache.httpUrl,
    async stop() {
      await apache.stop();
      await service.stop();
    },
  };
}

/** A person signed in on the portal form, holding the portal JWT the Asistencia pages would fetch. */
export interface SignedIn {
  cookie: string;
  token: string;
}

export async function signIn(baseUrl: string, username: string): Promise<SignedIn> {
  const cookie = await portalLogin(baseUrl, username, 'demo1234');
  const { token } = await fetchPortalToken(baseUrl, cookie);
  return { cookie, token };
}

/** POST /logout.php with the CSRF token of the home page, as the portal's logout button does. */
export async function portalLogout(baseUrl: string, cookie: string): Promise<HttpResponse> {
  const home = await request(`${baseUrl}/`, { headers: { cookie } });
  return request(`${baseUrl}/logout.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: formBody({ csrf_token: csrfTokenIn(home.body) }),
  });
}

function bearer(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

export interface JsonAnswer {
  status: number;
  // The bodies are checked field by field in the tests.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  response: HttpResponse;
}

/** A JSON call through Apache, with an optional portal token. */
export async function call(url: string, token?: string, init: { method?: string; body?: unknown } = {}): Promise<JsonAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...bearer(token) };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(url, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (response.body !== '' && !/^application\/json/.test(response.headers['content-type'] ?? '')) {
    throw new Error(`${url} answered HTTP ${response.status} without JSON: ${response.body.slice(0, 500)}`);
  }
  return { status: response.status, body: response.body === '' ? undefined : JSON.parse(response.body), response };
}
