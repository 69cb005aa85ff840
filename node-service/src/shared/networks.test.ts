import { describe, expect, it, test } from 'vitest';
import { addressNetwork, networkAllows, networkSchema } from './networks.js';

describe('a session network', () => {
  test.each(['10.20.0.0/16', '0.0.0.0/0', '192.168.1.7/32', '2001:db8::/32', '2001:db8:100:1::/64', '::/0', 'fe80::/10'])(
    '%s is a network',
    (value) => expect(networkSchema.safeParse(value).success).toBe(true),
  );

  // Without the host-bits rule these reach PostgreSQL's cidr type, which refuses them: a 500.
  test.each([
    ['10.20.0.1/16', '10.20.0.0/16'],
    ['192.168.1.7/24', '192.168.1.0/24'],
    ['2001:db8::1/32', '2001:db8::/32'],
  ])('%s has host bits set: refused, naming %s', (value, network) => {
    const result = networkSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(`${value} has host bits set: the network is ${network}`);
  });

  test.each(['10.0.0.0/33', '10.0.0/8', '10.0.0.0', ' 10.0.0.0/8', '10.0.0.0/08', 'campus', '2001:db8::/129', '10.0.0.0/8\u0000'])(
    '%j is not CIDR notation',
    (value) => expect(networkSchema.safeParse(value).success).toBe(false),
  );
});

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
