import { z } from 'zod';
import { ltiErrors } from '../domain/errors.js';
import { scoresUrl } from '../domain/grades.js';
import type { Platform, PlatformMember, PlatformServices, ToolKeys } from '../application/ports.js';

/** The scopes the tool asks for (AGS 2.0 §3.1, NRPS 2.0 §3.6.1). */
export const SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  memberships: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

const MEDIA = {
  memberships: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItems: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
} as const;

const tokenAnswer = z.object({ access_token: z.string().min(1).max(4096), expires_in: z.coerce.number().positive().optional() });
const memberSchema = z.object({
  user_id: z.string().min(1).max(255),
  name: z.string().max(200).optional(),
  given_name: z.string().max(200).optional(),
  family_name: z.string().max(200).optional(),
  email: z.string().max(254).optional(),
  lis_person_sourcedid: z.string().max(255).optional(),
  roles: z.array(z.string().max(500)).default([]),
  status: z.string().max(20).optional(),
});
const membershipsPage = z.object({ members: z.array(memberSchema) });
const lineItemSchema = z.object({ id: z.url(), resourceId: z.string().optional() });

/** The most pages of a roster followed (NRPS `Link: rel="next"`), whatever the platform says. */
const MAX_PAGES = 100;

/**
 * The platform's services, each call authorised by an access token from its token endpoint: a
 * client-credentials grant whose client assertion is a JWT signed with the tool's key (LTI Security
 * Framework §4.1). Tokens are kept until shortly before they expire.
 */
export function createPlatformServices(deps: { keys: Pick<ToolKeys, 'sign'>; timeoutMs: number; now: () => number }): PlatformServices {
  const tokens = new Map<string, { token: string; expiresAt: number }>();

  const call = async (url: string, init: RequestInit, what: string): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(deps.timeoutMs) });
    } catch {
      throw ltiErrors.LTI_PLATFORM_UNAVAILABLE({ reason: `${what}: no answer` });
    }
    if (!response.ok) throw ltiErrors.LTI_PLATFORM_UNAVAILABLE({ reason: `${what}: HTTP ${response.status}` });
    return response;
  };

  async function accessToken(platform: Platform, scopes: string[]): Promise<string> {
    const key = `${platform.id} ${scopes.join(' ')}`;
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > deps.now()) return cached.token;
    const assertion = await deps.keys.sign(
      { iss: platform.clientId, sub: platform.clientId, aud: platform.tokenUrl },
      { expiresInSeconds: 300 },
    );
    const response = await call(
      platform.tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
          scope: scopes.join(' '),
        }).toString(),
      },
      'token',
    );
    const parsed = tokenAnswer.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw ltiErrors.LTI_PLATFORM_UNAVAILABLE({ reason: 'token: not an access token' });
    // Kept one minute less than the platform grants (an hour when it does not say).
    const lifetimeMs = (parsed.data.expires_in ?? 3600) * 1000;
    tokens.set(key, { token: parsed.data.access_token, expiresAt: deps.now() + Math.max(0, lifetimeMs - 60_000) });
    return parsed.data.access_token;
  }

  const bearer = async (platform: Platform, scopes: string[], accept: string) => ({
    authorization: `Bearer ${await accessToken(platform, scopes)}`,
    accept,
  });

  return {
    async memberships(platform, url, maxMembers) {
      const members: PlatformMember[] = [];
      let next: string | null = url;
      for (let page = 0; next && page < MAX_PAGES && members.length < maxMembers; page += 1) {
        const response = await call(next, { headers: await bearer(platform, [SCOPES.memberships], MEDIA.memberships) }, 'NRPS');
        const parsed = membershipsPage.safeParse(await response.json().catch(() => undefined));
        if (!parsed.success) throw ltiErrors.LTI_PLATFORM_UNAVAILABLE({ reason: 'NRPS: not a membership container' });
        for (const m of parsed.data.members) {
          members.push({
            userId: m.user_id,
            name: m.name ?? [m.given_name, m.family_name].filter(Boolean).join(' '),
            email: m.email ?? null,
            sourcedId: m.lis_person_sourcedid ?? null,
            roles: m.roles,
            status: m.status ?? 'Active',
          });
        }
        next = nextLink(response.headers.get('link'));
      }
      return members.slice(0, maxMembers);
    },

    async lineItem(platform, lineitemsUrl, item) {
      const scopes = [SCOPES.lineItem];
      const search = new URL(lineitemsUrl);
      search.searchParams.set('resource_id', item.resourceId);
      const listed = await call(search.toString(), { headers: await bearer(platform, scopes, MEDIA.lineItems) }, 'AGS line items');
      const existing = z.array(lineItemSchema).safeParse(await listed.json().catch(() => undefined));
      const found = existing.success ? existing.data.find((l) => l.resourceId === item.resourceId) : undefined;
      if (found) return found.id;
      const created = await call(
        lineitemsUrl,
        {
          method: 'POST',
          headers: { ...(await bearer(platform, scopes, MEDIA.lineItem)), 'content-type': MEDIA.lineItem },
          body: JSON.stringify({ label: item.label, scoreMaximum: item.scoreMaximum, resourceId: item.resourceId, tag: 'attendance' }),
        },
        'AGS line item',
      );
      const parsed = lineItemSchema.safeParse(await created.json().catch(() => undefined));
      if (!parsed.success) throw ltiErrors.LTI_PLATFORM_UNAVAILABLE({ reason: 'AGS: not a line item' });
      return parsed.data.id;
    },

    async postScore(platform, lineitemUrl, score) {
      await call(
        scoresUrl(lineitemUrl),
        {
          method: 'POST',
          headers: { ...(await bearer(platform, [SCOPES.score], 'application/json')), 'content-type': MEDIA.score },
          body: JSON.stringify({
            userId: score.userId,
            scoreGiven: score.scoreGiven,
            scoreMaximum: score.scoreMaximum,
            activityProgress: 'Completed',
            gradingProgress: 'FullyGraded',
            timestamp: new Date(deps.now()).toISOString(),
          }),
        },
        'AGS score',
      );
    },
  };
}

/** The `rel="next"` target of an HTTP Link header (RFC 8288), as NRPS pages its roster. */
function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (match && /rel="?next"?/.test(match[2]!)) return match[1]!;
  }
  return null;
}
