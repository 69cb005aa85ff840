import { describe, expect, it } from 'vitest';
import { claimAt, launchClaims } from './claims.js';

const C = 'https://purl.imsglobal.org/spec/lti/claim/';
const launch = {
  sub: 'u1',
  nonce: 'n',
  [`${C}message_type`]: 'LtiResourceLinkRequest',
  [`${C}version`]: '1.3.0',
  [`${C}deployment_id`]: 'd1',
  [`${C}target_link_uri`]: 'https://tool.example/asistencia/lti/launch',
  [`${C}resource_link`]: { id: 'r1' },
  [`${C}roles`]: [],
  [`${C}context`]: { id: 'c1' },
};

describe('the claims a launch must carry', () => {
  it('accepts a complete resource link launch', () => {
    expect(launchClaims.safeParse(launch).success).toBe(true);
  });

  it('refuses another LTI version, a missing deployment or an unknown message type', () => {
    expect(launchClaims.safeParse({ ...launch, [`${C}version`]: '1.1' }).success).toBe(false);
    expect(launchClaims.safeParse({ ...launch, [`${C}deployment_id`]: undefined }).success).toBe(false);
    expect(launchClaims.safeParse({ ...launch, [`${C}message_type`]: 'LtiSubmissionReviewRequest' }).success).toBe(false);
  });
});

describe('the claim naming the portal person', () => {
  it('reads the e-mail, or a dotted path whose claim URI keeps its dots', () => {
    expect(claimAt({ email: 'a@b.c' }, 'email')).toBe('a@b.c');
    expect(claimAt({ [`${C}custom`]: { username: 'ana' } }, `${C}custom.username`)).toBe('ana');
    expect(claimAt({ [`${C}lis`]: { person_sourcedid: '123' } }, `${C}lis.person_sourcedid`)).toBe('123');
  });

  it('answers null for a missing, empty or non-text claim', () => {
    expect(claimAt({}, 'email')).toBeNull();
    expect(claimAt({ email: '' }, 'email')).toBeNull();
    expect(claimAt({ email: 42 }, 'email')).toBeNull();
  });
});
