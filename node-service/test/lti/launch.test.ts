import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { draftSession } from '../support/api.js';
import { request } from '../support/apache.js';
import { DEFAULT_USERS as lms } from '../support/lti-platform.js';
import { adminCall, jsonCall, launch, ltiRows, ltiToken, postLaunch, startLogin, startLtiDoor, type LtiDoor } from './lti-door.js';

/**
 * LTI 1.3 launches through the real door (Apache, the PHP portal, node-service on PostgreSQL and Valkey)
 * from the test platform: a good launch signs the portal person in; every defective launch is refused with
 * a page in Spanish and English and writes nothing.
 */
let lti: LtiDoor;
const CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';

beforeAll(async () => {
  // Grades go only after a change (the periodic pass is a day away), so that the last test sees that pass alone.
  lti = await startLtiDoor({ LTI_GRADE_AFTER_CHANGE_MS: '200', LTI_GRADE_SYNC_INTERVAL_SECONDS: '86400' });
  // A teacher's first launch from an activity naming its Asistencia course links the LMS course.
  lti.platform.rosters.set('lms-course-1', [lms.ana!, lms.luis!, lms.maria!, lms.carla!]);
  const linked = await launch(lti, lms.ana!, { claims: { [`${CLAIM}custom`]: { asistencia_course: 'MAT101' } } });
  expect(linked.response.status, linked.response.body).toBe(303);
}, 120_000);
afterAll(async () => lti?.stop());

describe('the tool as the platform sees it', () => {
  it('publishes its public keys as a JWKS, without private parts', async () => {
    const response = await request(`${lti.origin}/asistencia/lti/jwks`);
    expect(response.status).toBe(200);
    const { keys } = JSON.parse(response.body) as { keys: Array<Record<string, unknown>> };
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(keys.some((k) => 'd' in k || 'p' in k)).toBe(false);
  });

  it('keeps the previous key published after a rotation, and signs with the new one', async () => {
    const before = JSON.parse((await request(`${lti.origin}/asistencia/lti/jwks`)).body).keys.map((k: { kid: string }) => k.kid) as string[];
    const rotated = await adminCall(lti.origin, 'POST', '/api/admin/lti/keys/rotate');
    expect(rotated.status).toBe(200);
    const after = JSON.parse((await request(`${lti.origin}/asistencia/lti/jwks`)).body).keys.map((k: { kid: string }) => k.kid) as string[];
    expect(after).toContain(rotated.body.kid);
    expect(after).toContain(before.find((kid) => after.includes(kid)));
    expect(after).toHaveLength(2);
  });

  it('refuses the admin API to a teacher', async () => {
    const { portalToken, users } = await import('../support/tokens.js');
    expect((await jsonCall(lti.origin, 'GET', '/api/admin/lti/platforms', await portalToken(users.teacher))).status).toBe(403);
  });

  it('sends the browser to the platform with the OIDC parameters LTI requires', async () => {
    const { redirect, state, nonce } = await startLogin(lti, lms.ana!);
    expect(redirect.origin + redirect.pathname).toBe(lti.platform.authUrl);
    expect(Object.fromEntries(redirect.searchParams)).toMatchObject({
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: lti.platform.clientId,
      redirect_uri: `${lti.origin}/asistencia/lti/launch`,
      login_hint: lms.ana!.id,
    });
    expect(state).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(nonce).not.toBe(state);
  });

  it('binds the state to the browser with a cross-site cookie (SameSite=None; Secure; Partitioned; HttpOnly)', async () => {
    const response = await request(`${lti.origin}/asistencia/lti/login?${new URLSearchParams({ iss: lti.platform.issuer, login_hint: 'x', target_link_uri: 'x', client_id: lti.platform.clientId })}`);
    const cookie = response.setCookies.find((c) => c.startsWith('asistencia_lti_state_'))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=None/i);
    expect(cookie).toMatch(/Partitioned/i);
    expect(cookie).toMatch(/Path=\/asistencia\/lti\//);
  });
});

describe('a good launch', () => {
  it('signs the teacher in as the portal person with the same e-mail, and lands on the course page', async () => {
    const { response, login } = await launch(lti, lms.ana!);
    expect(response.status, response.body).toBe(303);
    expect(response.headers.location).toBe('/asistencia/teacher/?course=MAT101&lti=1');
    const session = response.setCookies.find((c) => c.startsWith('asistencia_lti='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=None/i);
    expect(session).toMatch(/Secure/i);
    const token = await ltiToken(lti, login.jar);
    const me = await jsonCall(lti.origin, 'GET', '/api/me', token);
    expect(me.body).toEqual({ id: '1', name: 'Ana Martínez', role: 'teacher' });
  });

  it('signs a student in by e-mail whatever its case, with the role the LMS gives', async () => {
    const { response, login } = await launch(lti, lms.luis!);
    expect(response.status, response.body).toBe(303);
    expect(response.headers.location).toBe('/asistencia/student/?lti=1');
    const me = await jsonCall(lti.origin, 'GET', '/api/me', await ltiToken(lti, login.jar));
    expect(me.body).toEqual({ id: '2', name: 'Luis Pérez', role: 'student' });
  });

  it('lets an assistant of the linked course in, with an assistant’s rights, but not link a course', async () => {
    // Diego Rojas assists MAT101 in the portal and is a teaching assistant in the LMS course.
    const { response, login } = await launch(lti, lms.diego!);
    expect(response.status, response.body).toBe(303);
    expect(response.headers.location).toBe('/asistencia/teacher/?course=MAT101&lti=1');
    const token = await ltiToken(lti, login.jar);
    expect((await jsonCall(lti.origin, 'GET', '/api/me', token)).body).toEqual({ id: '8', name: 'Diego Rojas', role: 'teacher' });
    const course = await jsonCall(lti.origin, 'GET', '/api/courses/MAT101/attendance', token);
    expect(course.body.access).toMatchObject({ role: 'assistant' });
    expect(course.body.access.rights).not.toContain('change_settings');
    // Linking an LMS course to MAT101 is the course teacher’s: an assistant naming it from another LMS course is refused.
    const before = await ltiRows(lti);
    const linking = await launch(lti, lms.diego!, { contextId: 'lms-course-3', claims: { [`${CLAIM}custom`]: { asistencia_course: 'MAT101' } } });
    expect(linking.response.status, linking.response.body).toBe(403);
    expect(linking.response.body).toMatch(/no enseñas el curso MAT101/);
    expect(await ltiRows(lti)).toEqual(before);
  });

  it('lets the LMS frame the pages of a browser it signed in, and no other site', async () => {
    const { login } = await launch(lti, lms.ana!);
    const framed = await request(`${lti.origin}/asistencia/teacher/`, { headers: { cookie: login.jar.header() } });
    expect(framed.headers['content-security-policy']).toContain(`frame-ancestors 'self' ${lti.platform.issuer}`);
    expect(framed.headers['x-frame-options']).toBeUndefined();
    const plain = await request(`${lti.origin}/asistencia/teacher/`);
    expect(plain.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(plain.headers['content-security-policy']).not.toContain(lti.platform.issuer);
  });

  it('gives no token without the sign-in cookie', async () => {
    const response = await request(`${lti.origin}/asistencia/lti/token`);
    expect(response.status).toBe(401);
  });
});

describe('bad launches are refused with a clear page and write nothing', () => {
  const refused = async (response: { status: number; body: string; headers: Record<string, unknown>; setCookies: string[] }, status: number, spanish: RegExp) => {
    expect(response.status, response.body).toBe(status);
    expect(String(response.headers['content-type'])).toMatch(/^text\/html/);
    expect(response.body).toMatch(spanish);
    expect(response.body).toContain('lang="en"');
    expect(response.setCookies.some((c) => c.startsWith('asistencia_lti='))).toBe(false);
  };

  const cases: Array<[string, () => ReturnType<typeof launch>, number, RegExp]> = [
    ['a token for another audience', () => launch(lti, lms.ana!, { audience: 'another-tool' }), 403, /no se pudo verificar \(wrong aud\)/],
    ['an expired token', () => launch(lti, lms.ana!, { expiresIn: -300 }), 403, /no se pudo verificar \(expired\)/],
    ['an unknown deployment', () => launch(lti, lms.ana!, { deploymentId: 'deployment-unknown' }), 403, /id de despliegue/],
    ['a token signed by the platform key with RS512', () => launch(lti, lms.ana!, { signing: 'RS512' }), 403, /algorithm RS512 refused/],
    ['a token signed with HS256', () => launch(lti, lms.ana!, { signing: 'HS256' }), 403, /algorithm HS256 refused/],
    ['an unsigned token (alg none)', () => launch(lti, lms.ana!, { signing: 'none' }), 403, /algorithm none refused/],
    ['a token signed by a key the platform does not publish', () => launch(lti, lms.ana!, { signing: 'stranger' }), 403, /bad signature/],
    ['a token from another issuer', () => launch(lti, lms.ana!, { issuer: 'https://lms.elsewhere.example' }), 403, /wrong iss/],
    ['a token without the LTI version', () => launch(lti, lms.ana!, { claims: { [`${CLAIM}version`]: undefined } }), 400, /faltan datos que LTI 1.3 exige \(version/],
    ['a token without roles', () => launch(lti, lms.ana!, { claims: { [`${CLAIM}roles`]: undefined } }), 400, /faltan datos .*roles/],
    ['a token without a context', () => launch(lti, lms.ana!, { claims: { [`${CLAIM}context`]: undefined } }), 400, /faltan datos .*context/],
    ['a token without a resource link', () => launch(lti, lms.ana!, { claims: { [`${CLAIM}resource_link`]: undefined } }), 400, /faltan datos .*resource_link/],
    ['a person the portal does not know', () => launch(lti, lms.stranger!), 403, /No encontramos tu cuenta del portal/],
    ['a role Asistencia does not take', () => launch(lti, lms.mentor!), 403, /solo recibe a docentes y estudiantes/],
    ['a course not linked', () => launch(lti, lms.luis!, { contextId: 'lms-course-unlinked' }), 404, /todavía no está vinculado/],
    ['a teacher naming a course the portal says is not theirs', () => launch(lti, lms.pedro!, { contextId: 'lms-course-2', claims: { [`${CLAIM}custom`]: { asistencia_course: 'MAT101' } } }), 403, /no enseñas el curso MAT101/],
  ];

  it.each(cases)('refuses %s', async (_name, run, status, spanish) => {
    const before = await ltiRows(lti);
    const { response } = await run();
    await refused(response, status, spanish);
    expect(await ltiRows(lti)).toEqual(before);
  });

  it('refuses a replayed launch (the same nonce a second time)', async () => {
    const { login, idToken } = await launch(lti, lms.luis!);
    const before = await ltiRows(lti);
    const again = await postLaunch(lti, { id_token: idToken, state: login.state }, `asistencia_lti_state_${login.state}=${login.jar.get(`asistencia_lti_state_${login.state}`) ?? ''}`);
    // The state cookie was cleared by the first launch: a replay from the same browser brings it back by hand.
    expect(again.status).toBe(403);
    expect(await ltiRows(lti)).toEqual(before);
  });

  it('refuses a replayed nonce even with the state cookie of its login', async () => {
    const login = await startLogin(lti, lms.luis!);
    const stateCookie = login.jar.header();
    const idToken = await lti.platform.idToken({ user: lms.luis!, nonce: login.nonce });
    expect((await postLaunch(lti, { id_token: idToken, state: login.state }, stateCookie)).status).toBe(303);
    const before = await ltiRows(lti);
    const replay = await postLaunch(lti, { id_token: idToken, state: login.state }, stateCookie);
    await refused(replay, 403, /ya se usó una vez/);
    expect(await ltiRows(lti)).toEqual(before);
  });

  it('refuses a launch whose state was not started in this browser', async () => {
    const login = await startLogin(lti, lms.ana!);
    const idToken = await lti.platform.idToken({ user: lms.ana!, nonce: login.nonce });
    const before = await ltiRows(lti);
    await refused(await postLaunch(lti, { id_token: idToken, state: login.state }, ''), 403, /no empezó en este navegador/);
    expect(await ltiRows(lti)).toEqual(before);
  });

  it('refuses a token carrying another nonce than the one this browser was given', async () => {
    const login = await startLogin(lti, lms.ana!);
    const idToken = await lti.platform.idToken({ user: lms.ana!, nonce: 'a-nonce-from-another-login' });
    const before = await ltiRows(lti);
    await refused(await postLaunch(lti, { id_token: idToken, state: login.state }, login.jar.header()), 403, /\(nonce\)/);
    expect(await ltiRows(lti)).toEqual(before);
  });

  it('refuses a login initiation from an issuer nobody registered', async () => {
    const response = await request(`${lti.origin}/asistencia/lti/login?${new URLSearchParams({ iss: 'https://lms.unknown.example', login_hint: 'x', target_link_uri: 'x' })}`);
    await refused(response, 403, /no está registrada en Asistencia/);
  });
});

describe('deep linking', () => {
  it('lets a teacher place Asistencia in an LMS course: the course is linked and the response is signed with the tool key', async () => {
    const { response, login } = await launch(lti, lms.ana!, { messageType: 'LtiDeepLinkingRequest', contextId: 'lms-course-dl', claims: { [`${CLAIM}resource_link`]: undefined } });
    expect(response.status, response.body).toBe(200);
    expect(response.body).toContain('value="MAT101"');
    expect(response.headers['content-security-policy']).toContain(`frame-ancestors ${lti.platform.issuer}`);
    const pending = /name="request" value="([^"]+)"/.exec(response.body)![1]!;
    const chosen = await request(`${lti.origin}/asistencia/lti/deep-link`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: login.jar.header() },
      body: new URLSearchParams({ request: pending, courseId: 'MAT101' }).toString(),
    });
    expect(chosen.status, chosen.body).toBe(200);
    const action = /form id="return" method="post" action="([^"]+)"/.exec(chosen.body)![1]!;
    const jwt = /name="JWT" value="([^"]+)"/.exec(chosen.body)![1]!;
    expect(action).toBe(`${lti.platform.issuer}/deep-link-return`);
    const verified = JSON.parse((await request(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ JWT: jwt }).toString() })).body);
    expect(verified.ok, verified.error).toBe(true);
    expect(verified.payload).toMatchObject({
      'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiDeepLinkingResponse',
      'https://purl.imsglobal.org/spec/lti/claim/deployment_id': lti.platform.deploymentId,
      'https://purl.imsglobal.org/spec/lti-dl/claim/data': 'opaque-platform-data',
      'https://purl.imsglobal.org/spec/lti-dl/claim/content_items': [{ type: 'ltiResourceLink', custom: { asistencia_course: 'MAT101' } }],
    });
    const link = await lti.door.service.db.query(`SELECT course_id FROM lti.course_links WHERE context_id = 'lms-course-dl'`);
    expect(link.rows).toEqual([{ course_id: 'MAT101' }]);
  });

  it('refuses a deep-linking choice posted without the teacher sign-in', async () => {
    const { response } = await launch(lti, lms.ana!, { messageType: 'LtiDeepLinkingRequest', contextId: 'lms-course-dl2', claims: { [`${CLAIM}resource_link`]: undefined } });
    const pending = /name="request" value="([^"]+)"/.exec(response.body)![1]!;
    const chosen = await request(`${lti.origin}/asistencia/lti/deep-link`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request: pending, courseId: 'MAT101' }).toString(),
    });
    expect(chosen.status).toBe(403);
    expect((await lti.door.service.db.query(`SELECT 1 FROM lti.course_links WHERE context_id = 'lms-course-dl2'`)).rows).toEqual([]);
  });

  it('refuses deep linking to a student', async () => {
    const { response } = await launch(lti, lms.luis!, { messageType: 'LtiDeepLinkingRequest', claims: { [`${CLAIM}resource_link`]: undefined } });
    expect(response.status).toBe(403);
  });
});

describe('dynamic registration', () => {
  it('registers a platform from a one-time link an admin made, and refuses the link a second time', async () => {
    const invitation = await adminCall(lti.origin, 'POST', '/api/admin/lti/invitations');
    expect(invitation.status).toBe(201);
    // The platform's own registration of this test: remove it so the dynamic one can take its place.
    const listed = await adminCall(lti.origin, 'GET', '/api/admin/lti/platforms');
    const manual = listed.body.platforms.find((p: { issuer: string }) => p.issuer === lti.platform.issuer);
    const url = new URL(invitation.body.url);
    url.searchParams.set('openid_configuration', lti.platform.openidConfigurationUrl);
    url.searchParams.set('registration_token', lti.platform.registrationToken);
    const duplicate = await request(url.toString());
    // Already registered by hand with the same client id: refused, and the invitation still unused.
    expect(duplicate.status).toBe(409);
    expect((await adminCall(lti.origin, 'DELETE', `/api/admin/lti/platforms/${manual.id}`)).status).toBe(204);
    const done = await request(url.toString());
    expect(done.status, done.body).toBe(200);
    expect(done.body).toContain('quedó registrada');
    const sent = lti.platform.registrations.at(-1)!;
    expect(sent).toMatchObject({
      initiate_login_uri: `${lti.origin}/asistencia/lti/login`,
      redirect_uris: [`${lti.origin}/asistencia/lti/launch`],
      jwks_uri: `${lti.origin}/asistencia/lti/jwks`,
      token_endpoint_auth_method: 'private_key_jwt',
    });
    const after = await adminCall(lti.origin, 'GET', '/api/admin/lti/platforms');
    expect(after.body.platforms.find((p: { issuer: string }) => p.issuer === lti.platform.issuer)).toMatchObject({ registeredBy: 'dynamic', deployments: [lti.platform.deploymentId] });
    expect((await request(url.toString())).status).toBe(403);
    // Launches work again under the dynamic registration (the course links went with the manual one).
    const { response } = await launch(lti, lms.ana!, { claims: { [`${CLAIM}custom`]: { asistencia_course: 'MAT101' } } });
    expect(response.status, response.body).toBe(303);
  });

  it('refuses a registration without a valid invitation, and registers nothing', async () => {
    const before = await ltiRows(lti);
    const url = `${lti.origin}/asistencia/lti/register?${new URLSearchParams({ invitation: 'made-up', openid_configuration: lti.platform.openidConfigurationUrl })}`;
    expect((await request(url)).status).toBe(403);
    expect(await ltiRows(lti)).toEqual(before);
  });
});

describe('the grade after a change', () => {
  it('reaches the platform shortly after a class closes and after a correction, with no pass asked for', async () => {
    const { portalToken, users } = await import('../support/tokens.js');
    const token = await portalToken(users.teacher);
    const teacher = (method: string, path: string, body?: unknown) => jsonCall(lti.origin, method, path, token, body);
    const scoresOf = (userId: string) => lti.platform.scores.filter((s) => s.userId === userId).map((s) => s.scoreGiven);
    const created = await teacher('POST', '/api/sessions', draftSession());
    expect(created.status, created.raw).toBe(201);
    expect((await teacher('POST', `/api/sessions/${created.body.id}/open`, {})).status).toBe(200);
    expect(lti.platform.scores).toEqual([]);
    expect((await teacher('POST', `/api/sessions/${created.body.id}/close`, {})).status).toBe(200);
    // Everyone absent from the one class held: 0 for Luis and María (Carla has no portal account).
    // Each student's score is its own request to the platform: both are waited for.
    await vi.waitFor(() => expect({ maria: scoresOf('lms-maria'), luis: scoresOf('lms-luis') }).toEqual({ maria: [0], luis: [0] }), {
      timeout: 15_000,
      interval: 100,
    });

    const corrected = await teacher('POST', `/api/sessions/${created.body.id}/students/2/correction`, { status: 'manual_present', reason: 'Olvidó su teléfono' });
    expect(corrected.status, corrected.raw).toBe(200);
    await vi.waitFor(() => expect(scoresOf('lms-luis')).toEqual([0, 100]), { timeout: 15_000, interval: 100 });
    expect(scoresOf('lms-maria')).toEqual([0]);
  });
});
