import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * A test LMS written from the 1EdTech specifications: LTI Core 1.3 (OIDC login, the signed id_token),
 * Deep Linking 2.0, NRPS 2.0 (membership container, paging by Link header), AGS 2.0 (line items, scores)
 * and Dynamic Registration 1.0 (OpenID configuration, client registration). It signs with its own RSA
 * key, serves its JWKS, grants access tokens only for client assertions signed with the tool's published
 * key, and records everything the tool sent. Failures are injected by the tests (`failures`).
 */

const CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';
const LTI_ROLE = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  mentor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor',
  teachingAssistant: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
} as const;

export interface PlatformUser {
  id: string;
  name: string;
  email: string;
  roles: string[];
}

interface LineItem {
  id: string;
  contextId: string;
  label: string;
  scoreMaximum: number;
  resourceId?: string;
  tag?: string;
}

interface ReceivedScore {
  lineItemId: string;
  userId: string;
  scoreGiven: number;
  scoreMaximum: number;
  activityProgress: string;
  gradingProgress: string;
  timestamp: string;
}

interface TokenRequest {
  scope: string;
  clientId: string;
  granted: boolean;
}

export interface LaunchOptions {
  user: PlatformUser;
  nonce: string;
  contextId?: string;
  contextTitle?: string;
  messageType?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  deploymentId?: string;
  /** Claims to add or replace (undefined removes one). */
  claims?: Record<string, unknown>;
  audience?: string | string[];
  issuer?: string;
  /** Seconds from now; negative makes an expired token. */
  expiresIn?: number;
  /**
   * 'stranger': signed by a key the platform does not publish; 'RS512': the platform's own key with an
   * algorithm LTI does not allow (its JWKS names no `alg`, as many do); 'HS256'/'none': a wrong algorithm.
   */
  signing?: 'platform' | 'stranger' | 'RS512' | 'HS256' | 'none';
}

export interface TestPlatform {
  issuer: string;
  clientId: string;
  deploymentId: string;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  /** The registration the tool's admin enters (manual registration form). */
  registration: { issuer: string; clientId: string; name: string; authUrl: string; tokenUrl: string; jwksUrl: string; deployments: string[] };
  users: Record<string, PlatformUser>;
  /** The members of each LMS course (context id → users) NRPS reports. */
  rosters: Map<string, PlatformUser[]>;
  lineItems: LineItem[];
  scores: ReceivedScore[];
  tokenRequests: TokenRequest[];
  registrations: Array<Record<string, unknown>>;
  /** Injected failures: the next N score posts answer 503. */
  failures: { scores: number };
  /** Where the tool is (its JWKS verifies client assertions; its launch URL is the only redirect URI). */
  trust(tool: { jwksUrl: string; launchUrl: string }): void;
  idToken(options: LaunchOptions): Promise<string>;
  nrpsUrl(contextId: string): string;
  lineItemsUrl(contextId: string): string;
  /** The OpenID configuration URL Dynamic Registration starts from, and the token it expects. */
  openidConfigurationUrl: string;
  registrationToken: string;
  stop(): Promise<void>;
}

const MEDIA = {
  memberships: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItems: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
};
/** NRPS pages of this size, so the tool must follow `Link: rel="next"`. */
const NRPS_PAGE_SIZE = 2;

export const DEFAULT_USERS: Record<string, PlatformUser> = {
  ana: { id: 'lms-ana', name: 'Ana Martínez', email: 'ana.docente@example.edu', roles: [LTI_ROLE.instructor] },
  luis: { id: 'lms-luis', name: 'Luis Pérez', email: 'LUIS.estudiante@example.edu', roles: [LTI_ROLE.learner] },
  maria: { id: 'lms-maria', name: 'María Gómez', email: 'maria.estudiante@example.edu', roles: [LTI_ROLE.learner] },
  carla: { id: 'lms-carla', name: 'Carla Soto', email: 'carla.soto@lms.example.org', roles: [LTI_ROLE.learner] },
  pedro: { id: 'lms-pedro', name: 'Pedro Sánchez', email: 'pedro.docente@example.edu', roles: [LTI_ROLE.instructor] },
  diego: { id: 'lms-diego', name: 'Diego Rojas', email: 'diego.ayudante@example.edu', roles: [LTI_ROLE.teachingAssistant] },
  stranger: { id: 'lms-stranger', name: 'Nadie Conocido', email: 'nobody@lms.example.org', roles: [LTI_ROLE.instructor] },
  mentor: { id: 'lms-mentor', name: 'Mentor', email: 'luis.estudiante@example.edu', roles: [LTI_ROLE.mentor] },
};

export async function startTestPlatform(): Promise<TestPlatform> {
  // A Node key object (not WebCrypto's, which is bound to one algorithm), so that the same key can also
  // sign RS512 and the tool's algorithm pin, not the key's type, is what refuses it.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = await generateKeyPair('RS256');
  const kid = randomBytes(8).toString('hex');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  const accessTokens = new Map<string, string[]>();
  let tool: { jwks: ReturnType<typeof createRemoteJWKSet>; jwksUrl: string; launchUrl: string } | undefined;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = `asistencia-${randomBytes(4).toString('hex')}`;
  const deploymentId = 'deployment-1';

  const platform: TestPlatform = {
    issuer: origin,
    clientId,
    deploymentId,
    authUrl: `${origin}/auth`,
    tokenUrl: `${origin}/token`,
    jwksUrl: `${origin}/jwks`,
    registration: { issuer: origin, clientId, name: 'Plataforma de prueba', authUrl: `${origin}/auth`, tokenUrl: `${origin}/token`, jwksUrl: `${origin}/jwks`, deployments: [deploymentId] },
    users: DEFAULT_USERS,
    rosters: new Map(),
    lineItems: [],
    scores: [],
    tokenRequests: [],
    registrations: [],
    failures: { scores: 0 },
    openidConfigurationUrl: `${origin}/.well-known/openid-configuration`,
    registrationToken: randomBytes(12).toString('hex'),
    trust(t) {
      // A platform looks the key up again when a message names a kid it has not seen (after a rotation).
      tool = { jwks: createRemoteJWKSet(new URL(t.jwksUrl), { cooldownDuration: 0 }), jwksUrl: t.jwksUrl, launchUrl: t.launchUrl };
    },
    idToken: (options) => idToken(options),
    nrpsUrl: (contextId) => `${origin}/nrps/${encodeURIComponent(contextId)}`,
    lineItemsUrl: (contextId) => `${origin}/ags/${encodeURIComponent(contextId)}/lineitems`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };

  async function idToken(o: LaunchOptions): Promise<string> {
    const contextId = o.contextId ?? 'lms-course-1';
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      sub: o.user.id,
      name: o.user.name,
      email: o.user.email,
      nonce: o.nonce,
      [`${CLAIM}message_type`]: o.messageType ?? 'LtiResourceLinkRequest',
      [`${CLAIM}version`]: '1.3.0',
      [`${CLAIM}deployment_id`]: o.deploymentId ?? deploymentId,
      [`${CLAIM}target_link_uri`]: tool?.launchUrl ?? `${origin}/tool`,
      [`${CLAIM}roles`]: o.user.roles,
      [`${CLAIM}context`]: { id: contextId, title: o.contextTitle ?? 'Cálculo I (LMS)', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
      [`${CLAIM}launch_presentation`]: { document_target: 'iframe', return_url: `${origin}/course/${contextId}` },
      'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice': { context_memberships_url: platform.nrpsUrl(contextId), service_versions: ['2.0'] },
      'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': {
        scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem', 'https://purl.imsglobal.org/spec/lti-ags/scope/score'],
        lineitems: platform.lineItemsUrl(contextId),
      },
    };
    if ((o.messageType ?? 'LtiResourceLinkRequest') === 'LtiResourceLinkRequest') {
      claims[`${CLAIM}resource_link`] = { id: `link-${contextId}`, title: 'Asistencia' };
    } else {
      claims['https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings'] = {
        deep_link_return_url: `${origin}/deep-link-return`,
        accept_types: ['ltiResourceLink'],
        accept_presentation_document_targets: ['iframe', 'window'],
        data: 'opaque-platform-data',
      };
    }
    for (const [name, value] of Object.entries(o.claims ?? {})) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    const jwt = new SignJWT(claims)
      .setIssuer(o.issuer ?? origin)
      .setAudience(o.audience ?? clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + (o.expiresIn ?? 300));
    switch (o.signing ?? 'platform') {
      case 'platform':
        return jwt.setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey);
      case 'RS512':
        return jwt.setProtectedHeader({ alg: 'RS512', kid, typ: 'JWT' }).sign(privateKey);
      case 'stranger':
        return jwt.setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(stranger.privateKey as CryptoKey);
      case 'HS256':
        return jwt.setProtectedHeader({ alg: 'HS256', kid }).sign(new TextEncoder().encode('a-shared-secret-nobody-agreed-on-0123'));
      case 'none': {
        const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, iss: o.issuer ?? origin, aud: o.audience ?? clientId, iat: now, exp: now + 300 })}.`;
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    if (path === '/jwks') return send(res, 200, { keys: [jwk] });
    if (path === '/.well-known/openid-configuration') {
      return send(res, 200, {
        issuer: origin,
        authorization_endpoint: platform.authUrl,
        token_endpoint: platform.tokenUrl,
        jwks_uri: platform.jwksUrl,
        registration_endpoint: `${origin}/register`,
        scopes_supported: ['openid'],
        response_types_supported: ['id_token'],
        id_token_signing_alg_values_supported: ['RS256'],
        'https://purl.imsglobal.org/spec/lti-platform-configuration': { product_family_code: 'asistencia-test-platform', version: '1.0' },
      });
    }
    if (path === '/register' && req.method === 'POST') {
      if (req.headers.authorization !== `Bearer ${platform.registrationToken}`) return send(res, 401, { error: 'invalid_token' });
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      platform.registrations.push(body);
      return send(res, 200, { ...body, client_id: clientId, 'https://purl.imsglobal.org/spec/lti-tool-configuration': { ...(body['https://purl.imsglobal.org/spec/lti-tool-configuration'] as object), deployment_id: deploymentId } });
    }
    if (path === '/auth') return authorize(url, res);
    if (path === '/course-frame') {
      // The LMS's course page with the tool inside an iframe (the launch starts in the frame).
      const src = url.searchParams.get('launch') ?? '';
      const html = `<!doctype html><html lang="es"><head><title>Curso en el LMS</title></head><body><h1>Curso en el LMS</h1>
<iframe id="tool" title="Asistencia" src="${src.replace(/"/g, '&quot;')}" width="1200" height="800"></iframe></body></html>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    if (path === '/token' && req.method === 'POST') return token(new URLSearchParams(await readBody(req)), res);
    const nrps = /^\/nrps\/([^/]+)$/.exec(path);
    if (nrps) {
      if (!authorized(req, 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly')) return send(res, 401, { error: 'unauthorized' });
      const contextId = decodeURIComponent(nrps[1]!);
      const members = platform.rosters.get(contextId) ?? [];
      const page = Number(url.searchParams.get('page') ?? '0');
      const slice = members.slice(page * NRPS_PAGE_SIZE, (page + 1) * NRPS_PAGE_SIZE);
      const headers: Record<string, string> = { 'content-type': MEDIA.memberships };
      if ((page + 1) * NRPS_PAGE_SIZE < members.length) headers.link = `<${origin}${path}?page=${page + 1}>; rel="next"`;
      return send(res, 200, {
        id: `${origin}${path}`,
        context: { id: contextId },
        members: slice.map((m) => ({ user_id: m.id, name: m.name, email: m.email, roles: m.roles, status: 'Active' })),
      }, headers);
    }
    const items = /^\/ags\/([^/]+)\/lineitems$/.exec(path);
    if (items) {
      if (!authorized(req, 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem')) return send(res, 401, { error: 'unauthorized' });
      const contextId = decodeURIComponent(items[1]!);
      if (req.method === 'GET') {
        const resourceId = url.searchParams.get('resource_id');
        return send(res, 200, platform.lineItems.filter((l) => l.contextId === contextId && (resourceId === null || l.resourceId === resourceId)), { 'content-type': MEDIA.lineItems });
      }
      const body = JSON.parse(await readBody(req)) as Omit<LineItem, 'id' | 'contextId'>;
      const item: LineItem = { ...body, contextId, id: `${origin}${path}/${platform.lineItems.length + 1}` };
      platform.lineItems.push(item);
      return send(res, 201, item, { 'content-type': MEDIA.lineItem });
    }
    const scores = /^\/ags\/[^/]+\/lineitems\/[0-9]+\/scores$/.exec(path);
    if (scores && req.method === 'POST') {
      if (!authorized(req, 'https://purl.imsglobal.org/spec/lti-ags/scope/score')) return send(res, 401, { error: 'unauthorized' });
      if (req.headers['content-type'] !== 'application/vnd.ims.lis.v1.score+json') return send(res, 415, { error: 'media type' });
      const body = JSON.parse(await readBody(req)) as Omit<ReceivedScore, 'lineItemId'>;
      if (platform.failures.scores > 0) {
        platform.failures.scores -= 1;
        return send(res, 503, { error: 'gradebook busy' });
      }
      platform.scores.push({ ...body, lineItemId: `${origin}${path.replace(/\/scores$/, '')}` });
      return send(res, 200, {});
    }
    if (path === '/deep-link-return' && req.method === 'POST') {
      const jwt = new URLSearchParams(await readBody(req)).get('JWT') ?? '';
      return send(res, 200, await verifyFromTool(jwt, origin).then((payload) => ({ ok: true, payload }), (error: unknown) => ({ ok: false, error: String(error) })));
    }
    send(res, 404, { error: 'not found' });
  }

  /** The OIDC authorisation endpoint: checks the tool's request and answers with a form that posts the id_token. */
  async function authorize(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    const problems = [
      q.get('scope') !== 'openid' && 'scope',
      q.get('response_type') !== 'id_token' && 'response_type',
      q.get('response_mode') !== 'form_post' && 'response_mode',
      q.get('prompt') !== 'none' && 'prompt',
      q.get('client_id') !== clientId && 'client_id',
      q.get('redirect_uri') !== tool?.launchUrl && 'redirect_uri',
      !q.get('nonce') && 'nonce',
      !q.get('state') && 'state',
    ].filter(Boolean);
    if (problems.length > 0) return send(res, 400, { error: 'invalid_request', problems });
    // login_hint is the LMS user id; lti_message_hint says which course and message.
    const user = Object.values(platform.users).find((u) => u.id === q.get('login_hint'));
    if (!user) return send(res, 400, { error: 'login_required' });
    const hint = new URLSearchParams(q.get('lti_message_hint') ?? '');
    const token = await idToken({
      user,
      nonce: q.get('nonce')!,
      contextId: hint.get('context') ?? 'lms-course-1',
      messageType: hint.get('type') === 'deep' ? 'LtiDeepLinkingRequest' : 'LtiResourceLinkRequest',
    });
    const html = `<!doctype html><html><body><form id="f" method="post" action="${tool!.launchUrl}">
<input type="hidden" name="id_token" value="${token}"><input type="hidden" name="state" value="${q.get('state')}">
<noscript><button>Continuar</button></noscript></form><script>document.getElementById('f').submit()</script></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  }

  /** Client credentials with a JWT client assertion (LTI Security Framework §4.1), verified with the tool's JWKS. */
  async function token(form: URLSearchParams, res: ServerResponse) {
    const scope = form.get('scope') ?? '';
    const record: TokenRequest = { scope, clientId: '', granted: false };
    platform.tokenRequests.push(record);
    if (form.get('grant_type') !== 'client_credentials' || form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      return send(res, 400, { error: 'unsupported_grant_type' });
    }
    try {
      const { payload } = await jwtVerify(form.get('client_assertion') ?? '', tool!.jwks, { algorithms: ['RS256'], audience: platform.tokenUrl, issuer: clientId, subject: clientId });
      if (!payload.jti) throw new Error('no jti');
      record.clientId = clientId;
    } catch {
      return send(res, 401, { error: 'invalid_client' });
    }
    record.granted = true;
    const access = randomBytes(16).toString('hex');
    accessTokens.set(access, scope.split(' '));
    send(res, 200, { access_token: access, token_type: 'bearer', expires_in: 3600, scope });
  }

  function authorized(req: IncomingMessage, scope: string): boolean {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    return Boolean(match && accessTokens.get(match[1]!)?.includes(scope));
  }

  async function verifyFromTool(jwt: string, audience: string) {
    const { payload, protectedHeader } = await jwtVerify(jwt, tool!.jwks, { algorithms: ['RS256'], audience, issuer: clientId });
    return { ...payload, kid: protectedHeader.kid };
  }

  return platform;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => resolve(raw));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
