import { describe, expect, it } from 'vitest';
import type { VerifiedToken } from '../domain/identity.js';
import { createAuthenticator } from './authenticate.js';
import type { RevocationFeed, RevocationList, TokenVerifier } from './ports.js';

const token: VerifiedToken = { identity: { id: '1', name: 'Ana', role: 'teacher' }, jti: 'jti-1', expiresAt: 2_000_000_000 };

function fakes(options: { announceFails?: boolean } = {}) {
  const revoked = new Map<string, number>();
  const announced: string[] = [];
  const reported: string[] = [];
  const verifier: TokenVerifier = { verify: async () => token };
  const revocations: RevocationList = {
    revoke: async (jti, expiresAt) => void revoked.set(jti, expiresAt),
    isRevoked: async (jti) => revoked.has(jti),
  };
  const feed: RevocationFeed = {
    announce: async (jti) => {
      if (options.announceFails) throw new Error('valkey down');
      announced.push(jti);
    },
    watch: async () => async () => undefined,
  };
  const authenticator = createAuthenticator({ verifier, revocations, feed, report: (_e, context) => void reported.push(context) });
  return { authenticator, revoked, announced, reported };
}

describe('authenticator', () => {
  it('gives a socket the token’s jti and exp with the identity', async () => {
    expect(await fakes().authenticator.verify('t')).toEqual(token);
  });

  it('stores a revocation, then announces it, and refuses the token from then on', async () => {
    const { authenticator, revoked, announced } = fakes();
    await authenticator.revoke('jti-1', 2_000_000_000);
    expect(revoked.get('jti-1')).toBe(2_000_000_000);
    expect(announced).toEqual(['jti-1']);
    await expect(authenticator.authenticate('t')).rejects.toMatchObject({ code: 'AUTH_TOKEN_REVOKED' });
  });

  it('keeps a stored revocation whose announcement failed, and reports it', async () => {
    const { authenticator, reported } = fakes({ announceFails: true });
    await authenticator.revoke('jti-1', 2_000_000_000);
    expect(reported).toEqual(['revocation stored but not announced']);
    await expect(authenticator.verify('t')).rejects.toMatchObject({ code: 'AUTH_TOKEN_REVOKED' });
  });
});
