import ipaddr from 'ipaddr.js';
import { z } from 'zod';

const EXPECTED = 'expected a network in CIDR notation, such as 10.20.0.0/16';

/**
 * A campus network as a session lists it: IPv4 or IPv6 CIDR notation (zod's cidrv4/cidrv6, then
 * ipaddr.js), naming a network rather than a host in it. `10.20.0.1/16` is refused with the network it
 * probably means (`10.20.0.0/16`): PostgreSQL's `cidr` type refuses host bits too, and silently widening a
 * teacher's input to another network is not ours to decide.
 */
export const networkSchema = z.union([z.cidrv4(), z.cidrv6()], { error: EXPECTED }).superRefine((value, context) => {
  const problem = hostBitsProblem(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** Why a CIDR does not name a network (host bits set, or not parseable), or null when it does. */
function hostBitsProblem(cidr: string): string | null {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let bits: number;
  try {
    [address, bits] = ipaddr.parseCIDR(cidr);
  } catch {
    return EXPECTED;
  }
  const family = address.kind() === 'ipv4' ? ipaddr.IPv4 : ipaddr.IPv6;
  const network = family.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  if (network.toNormalizedString() === address.toNormalizedString()) return null;
  return `${cidr} has host bits set: the network is ${network.toString()}/${bits}`;
}

/**
 * Whether a client address is inside one of a session's campus networks (none listed: everyone). The address
 * is the one Fastify derived from the proxy's X-Forwarded-For, trusted only from TRUST_PROXY: a client
 * cannot choose it. An IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export function networkAllows(allowedNetworks: readonly string[], address: string | null): boolean {
  if (allowedNetworks.length === 0) return true;
  const parsed = parseAddress(address);
  if (!parsed) return false;
  return allowedNetworks.some((cidr) => {
    try {
      const network = ipaddr.parseCIDR(cidr);
      return network[0].kind() === parsed.kind() && parsed.match(network);
    } catch {
      return false;
    }
  });
}

/**
 * The networks a session's confirmations must come from: its own list when the teacher gave one (wider,
 * narrower or elsewhere; `0.0.0.0/0` and `::/0` for anywhere), else the institution's CAMPUS_NETWORKS
 * (none set: anywhere, as before).
 */
export function sessionNetworks(own: readonly string[], campus: readonly string[]): readonly string[] {
  return own.length > 0 ? own : campus;
}

/**
 * The network a client address stands for when counting its attempts: an IPv4 address is one host (a
 * classroom behind NAT shares it), while one IPv6 host holds a whole /64 and could walk through it, so the
 * /64 prefix is the unit there. Unknown addresses count together.
 */
export function addressNetwork(address: string | null): string {
  const parsed = parseAddress(address);
  if (!parsed) return 'unknown';
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}

function parseAddress(address: string | null): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!address || !ipaddr.isValid(address)) return null;
  return ipaddr.process(address); // an IPv4-mapped IPv6 address becomes the IPv4 one
}
