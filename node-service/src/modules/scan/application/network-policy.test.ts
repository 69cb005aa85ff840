import { describe, expect, it } from 'vitest';
import { networkAllows } from './network-policy.js';

describe('networkAllows', () => {
  it('allows anyone when the session sets no networks', () => {
    expect(networkAllows([], '203.0.113.9')).toBe(true);
    expect(networkAllows([], null)).toBe(true);
  });
  it('allows addresses inside a listed network, IPv4 and IPv6, and IPv4-mapped IPv6', () => {
    const campus = ['10.20.0.0/16', '2001:db8:100::/48'];
    expect(networkAllows(campus, '10.20.5.7')).toBe(true);
    expect(networkAllows(campus, '::ffff:10.20.5.7')).toBe(true);
    expect(networkAllows(campus, '2001:db8:100:1::5')).toBe(true);
  });
  it('refuses addresses outside, and unknown or malformed addresses', () => {
    const campus = ['10.20.0.0/16'];
    expect(networkAllows(campus, '10.21.0.1')).toBe(false);
    expect(networkAllows(campus, '2001:db8::1')).toBe(false);
    expect(networkAllows(campus, null)).toBe(false);
    expect(networkAllows(campus, 'not-an-ip')).toBe(false);
  });
});
