import { describe, expect, it } from 'vitest';
import { addressNetwork } from './address-network.js';

describe('addressNetwork', () => {
  it('is the host for IPv4, also when written as IPv4-mapped IPv6', () => {
    expect(addressNetwork('192.0.2.7')).toBe('192.0.2.7');
    expect(addressNetwork('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('is the /64 prefix for IPv6, however the address is written', () => {
    expect(addressNetwork('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressNetwork('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressNetwork('::1')).toBe('0:0:0:0::/64');
    expect(addressNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('counts missing and unreadable addresses together', () => {
    expect(addressNetwork(null)).toBe('unknown');
    expect(addressNetwork('not an address')).toBe('unknown');
  });
});
