import { expect } from 'vitest';
import { CookieJar, request, type HttpResponse } from '../support/apache.js';
import { startTestPlatform, type LaunchOptions, type PlatformUser, type TestPlatform } from '../support/lti-platform.js';
import { portalToken, users } from '../support/tokens.js';
import { startDoor, type Door } from '../door/door.js';

/** The door (Apache, the portal, node-service) and a test LMS registered in it by the admin's form. */
export interface LtiDoor {
  door: Door;
  platform: TestPlatform;
  origin: string;
  stop(): Promise<void>;
}

export async function startLtiDoor(env: Record<string, string> = {}): Promise<LtiDoor> {
  // Each test launches several times from one address: the public budget is raised for the file.
  const door = await startDoor({ publicAsLocalhost: true, env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '10000', ...env } });
  const platform = await startTestPlatform();
  const origin = door.origin;
  platform.trust({ jwksUrl: `${origin}/asistencia/lti/jwks`, launchUrl: `${origin}/asistencia/lti/launch` });
  const registered = await adminCall(origin, 'POST', '/api/admin/lti/platforms', platform.registration);
  expect(registered.status, registered.body).toBe(201);
  return {
    door,
    platform,
    origin,
    async stop() {
      await platform.stop();
      await door.stop();
    },
  };
}

export async function adminCall(origin: string, method: string, path: string, body?: unknown) {
  return jsonCall(origin, method, path, await portalToken(users.admin), body);
}

export async function jsonCall(origin: string, method: string, path: string, token: string, body?: unknown) {
  const response = await request(`${origin}/asistencia${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: response.body === '' ? null : JSON.parse(response.body), raw: response.body };
}

export interface StartedLogin {
  state: string;
  nonce: string;
  jar: CookieJar;
  redirect: URL;
}

/** Step 1 as a browser does it: the platform sends the browser to the tool's login initiation. */
export async function startLogin(lti: LtiDoor, user: PlatformUser, extra: Record<string, string> = {}): Promise<StartedLogin> {
  const query = new URLSearchParams({
    iss: lti.platform.issuer,
    login_hint: user.id,
    target_link_uri: `${lti.origin}/asistencia/lti/launch`,
    client_id: lti.platform.clientId,
    lti_deployment_id: lti.platform.deploymentId,
    ...extra,
  });
  const response = await request(`${lti.origin}/asistencia/lti/login?${query}`);
  expect(response.status, response.body).toBe(302);
  const redirect = new URL(response.headers.location!);
  const jar = new CookieJar();
  jar.store(response.setCookies);
  return { state: redirect.searchParams.get('state')!, nonce: redirect.searchParams.get('nonce')!, jar, redirect };
}

/** Step 2: the browser posts what the platform signed, with the cookies the login set. */
export async function postLaunch(lti: LtiDoor, fields: { id_token: string; state: string }, cookie: string): Promise<HttpResponse> {
  return request(`${lti.origin}/asistencia/lti/launch`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'sec-fetch-site': 'cross-site' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The whole launch: login, the platform's id_token (options override claims), the post. */
export async function launch(lti: LtiDoor, user: PlatformUser, options: Partial<LaunchOptions> = {}) {
  const login = await startLogin(lti, user);
  const idToken = await lti.platform.idToken({ user, nonce: login.nonce, ...options });
  const response = await postLaunch(lti, { id_token: idToken, state: login.state }, login.jar.header());
  login.jar.store(response.setCookies);
  return { response, login, idToken };
}

/** The pages' portal-style token, from the sign-in cookie a launch set. */
export async function ltiToken(lti: LtiDoor, jar: CookieJar): Promise<string> {
  const response = await request(`${lti.origin}/asistencia/lti/token`, { headers: { cookie: jar.header(), 'sec-fetch-site': 'same-origin' } });
  expect(response.status, response.body).toBe(200);
  return (JSON.parse(response.body) as { token: string }).token;
}

/** Every row the LTI tables hold, to show a refused launch wrote none. */
export async function ltiRows(lti: LtiDoor) {
  const { rows } = await lti.door.service.db.query<{ name: string; n: number }>(`
    SELECT 'nonces' AS name, count(*)::int AS n FROM lti.nonces UNION ALL
    SELECT 'links', count(*)::int FROM lti.course_links UNION ALL
    SELECT 'members', count(*)::int FROM lti.members UNION ALL
    SELECT 'grades', count(*)::int FROM lti.grade_sync UNION ALL
    SELECT 'platforms', count(*)::int FROM lti.platforms`);
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}
