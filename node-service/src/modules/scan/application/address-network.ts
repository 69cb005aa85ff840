import ipaddr from 'ipaddr.js';

/**
 * The network a client address stands for when counting its attempts: an IPv4 address is one host (a
 * classroom behind NAT shares it), while one IPv6 host holds a whole /64 and could walk through it, so the
 * /64 prefix is the unit there. Unknown addresses count together.
 */
export function addressNetwork(address: string | null): string {
  if (!address || !ipaddr.isValid(address)) return 'unknown';
  const parsed = ipaddr.process(address); // an IPv4-mapped IPv6 address becomes the IPv4 one
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}
