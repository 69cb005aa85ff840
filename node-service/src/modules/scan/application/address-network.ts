import { isIP } from 'node:net';

/**
 * The network a client address stands for when counting its attempts: an IPv4 address is one host (a
 * classroom behind NAT shares it), while one IPv6 host holds a whole /64 and could walk through it, so the
 * /64 prefix is the unit there. Unknown addresses count together.
 */
export function addressNetwork(address: string | null): string {
  if (!address) return 'unknown';
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const family = isIP(plain);
  if (family === 4) return plain;
  if (family !== 6) return 'unknown';
  return `${expandIPv6(plain).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without zone, lower-case and without leading zeros. */
function expandIPv6(address: string): string[] {
  const [bare = ''] = address.split('%');
  const [head = '', tail] = bare.split('::');
  const groups = (text: string) => (text ? text.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  return [...left, ...Array.from({ length: missing }, () => '0'), ...right].map((g) => (Number.parseInt(g, 16) || 0).toString(16));
}
