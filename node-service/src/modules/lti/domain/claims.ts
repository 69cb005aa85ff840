import { z } from 'zod';

/**
 * The claims of a platform's id_token that Asistencia relies on (LTI Core 1.3 §5.3–5.4, Deep Linking 2.0
 * §4.4, NRPS 2.0 §3.6.1, AGS 2.0 §3.1). The signature, issuer, audience, expiry and nonce are jose's and
 * launch.ts's to check; this schema says what a verified token must also carry.
 */
export const CLAIM = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  lis: 'https://purl.imsglobal.org/spec/lti/claim/lis',
} as const;

const id = z.string().min(1).max(255);
const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);

const common = z.object({
  sub: id,
  nonce: z.string().min(1).max(255),
  name: z.string().max(200).optional(),
  given_name: z.string().max(200).optional(),
  family_name: z.string().max(200).optional(),
  email: z.string().max(254).optional(),
  [CLAIM.version]: z.literal('1.3.0'),
  [CLAIM.deploymentId]: id,
  [CLAIM.roles]: z.array(z.string().max(500)).max(100),
  [CLAIM.context]: z.object({ id, title: z.string().max(500).optional(), label: z.string().max(500).optional() }),
  [CLAIM.nrps]: z.object({ context_memberships_url: httpUrl, service_versions: z.array(z.string()).optional() }).optional(),
  [CLAIM.ags]: z
    .object({ scope: z.array(z.string()).optional(), lineitems: httpUrl.optional(), lineitem: httpUrl.optional() })
    .optional(),
  [CLAIM.custom]: z.record(z.string(), z.unknown()).optional(),
  [CLAIM.lis]: z.record(z.string(), z.unknown()).optional(),
});

const resourceLinkLaunch = common.extend({
  [CLAIM.messageType]: z.literal('LtiResourceLinkRequest'),
  [CLAIM.targetLinkUri]: httpUrl,
  [CLAIM.resourceLink]: z.object({ id, title: z.string().max(500).optional() }),
});

const deepLinkingLaunch = common.extend({
  [CLAIM.messageType]: z.literal('LtiDeepLinkingRequest'),
  [CLAIM.deepLinkingSettings]: z.object({
    deep_link_return_url: httpUrl,
    accept_types: z.array(z.string()),
    data: z.string().max(2000).optional(),
  }),
});

export const launchClaims = z.discriminatedUnion(CLAIM.messageType, [resourceLinkLaunch, deepLinkingLaunch]);
export type LaunchClaims = z.infer<typeof launchClaims>;

/** What was missing or wrong, in a few words for the refusal page (the claim's last path segment). */
export function claimProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'claims';
  const path = issue.path.map(String).map((part) => part.split('/').pop()!).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/** The claim that names a person in the portal: `email`, or a configured one (a dotted path, e.g. a custom field). */
export function claimAt(claims: Record<string, unknown>, path: string): string | null {
  let value: unknown = claims;
  for (const key of path === 'email' ? ['email'] : splitClaimPath(path)) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' && value.length > 0 && value.length <= 254 ? value : null;
}

/** A claim URI keeps its own dots: `https://purl.imsglobal.org/spec/lti/claim/lis.person_sourcedid`. */
function splitClaimPath(path: string): string[] {
  const uri = /^(https?:\/\/[^#]*?\/claim\/[^.]+)(?:\.(.+))?$/.exec(path);
  if (uri) return [uri[1]!, ...(uri[2] ? uri[2].split('.') : [])];
  return path.split('.');
}
