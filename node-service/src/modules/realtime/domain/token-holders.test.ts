import { describe, expect, it } from 'vitest';
import { createTokenHolders } from './token-holders.js';

// Checked once without the memory of recent revocations: the race test fails.
describe('token holders', () => {
  it('gives the holders of a revoked jti, and only those', () => {
    const holders = createTokenHolders<string>({ rememberMs: 60_000 });
    holders.hold('jti-1', 'socket-a');
    holders.hold('jti-1', 'socket-b');
    holders.hold('jti-2', 'socket-c');
    expect(holders.revoke('jti-1')).toEqual(['socket-a', 'socket-b']);
  });

  it('forgets a released holder', () => {
    const holders = createTokenHolders<string>({ rememberMs: 60_000 });
    holders.hold('jti-1', 'socket-a');
    holders.release('jti-1', 'socket-a');
    expect(holders.revoke('jti-1')).toEqual([]);
  });

  it('refuses a holder of a jti revoked moments before it registered (the announcement won the race)', () => {
    let clock = 1_000_000;
    const holders = createTokenHolders<string>({ rememberMs: 60_000, now: () => clock });
    holders.revoke('jti-1');
    clock += 59_000;
    expect(holders.hold('jti-1', 'socket-a')).toBe(false);
    expect(holders.hold('jti-2', 'socket-b')).toBe(true);
  });

  it('remembers revocations only for a while', () => {
    let clock = 1_000_000;
    const holders = createTokenHolders<string>({ rememberMs: 60_000, now: () => clock });
    holders.revoke('jti-1');
    holders.revoke('jti-2');
    clock += 61_000;
    holders.revoke('jti-3');
    expect(holders.hold('jti-1', 'socket-a')).toBe(true);
    expect(holders.hold('jti-3', 'socket-b')).toBe(false);
  });
});
