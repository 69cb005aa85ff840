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
export function hostBitsProblem(cidr: string): string | null {
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
