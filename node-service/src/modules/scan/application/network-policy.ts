import { BlockList, isIP } from 'node:net';

/**
 * A session may accept confirmations only from campus networks. The address is the one Fastify derived
 * from the proxy's X-Forwarded-For, trusted only from TRUST_PROXY: a client cannot choose it.
 */
export function networkAllows(allowedNetworks: readonly string[], address: string | null): boolean {
  if (allowedNetworks.length === 0) return true;
  if (!address) return false;
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const family = isIP(plain);
  if (family === 0) return false;
  const list = new BlockList();
  for (const cidr of allowedNetworks) {
    const [network = '', bits = ''] = cidr.split('/');
    const networkFamily = isIP(network);
    if (networkFamily !== 0) list.addSubnet(network, Number(bits), networkFamily === 4 ? 'ipv4' : 'ipv6');
  }
  return list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}
