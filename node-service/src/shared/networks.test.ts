import { describe, expect, test } from 'vitest';
import { networkSchema } from './networks.js';

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
