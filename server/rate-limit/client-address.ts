import { isIPv4, isIPv6 } from 'net';

/**
 * Who the rate limit counts a request against: the client's address, as far as the trusted
 * proxies vouch for it, bucketed so that one client cannot dodge its budget by switching addresses
 * it owns anyway (an IPv6 host is given a whole /64).
 */

/** The address as it arrives: `[v6]`, `[v6]:port` and `v4:port` (some proxies write them so) become the bare address. */
function bareAddress(entry: string): string {
  const value = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
  return v4WithPort ? v4WithPort[1] : value;
}

/**
 * The client address behind `trustedProxies` proxies. Each proxy appends the address of its peer to
 * X-Forwarded-For (nginx's $proxy_add_x_forwarded_for), so the entry `trustedProxies` places from the
 * right is the client as the outermost trusted proxy saw it; whatever stands left of it was written by
 * the client and is ignored. 0 trusts no header: the socket's peer is the client.
 */
export function clientAddress(request: { socketAddress: string | undefined; forwardedFor: string | undefined; trustedProxies: number }): string | undefined {
  const { socketAddress, forwardedFor, trustedProxies } = request;
  if (trustedProxies === 0 || !forwardedFor) return socketAddress;
  const entries = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (!entries.length) return socketAddress;
  // Fewer entries than proxies: the request skipped a proxy; the leftmost is the farthest hop known.
  const candidate = bareAddress(entries[Math.max(0, entries.length - trustedProxies)]);
  return isIPv4(candidate) || isIPv6(candidate) ? candidate : socketAddress;
}

/** The eight 16-bit groups of an IPv6 address (zone index dropped, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0];
  const tailStart = text.lastIndexOf(':') + 1;
  const tail = text.slice(tailStart);
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number);
    text = `${text.slice(0, tailStart)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  const right = parse(rest);
  const zeros = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

/**
 * The bucket an address is counted in: an IPv4 address alone (also when written IPv4-mapped,
 * ::ffff:a.b.c.d), an IPv6 address by its /64, anything else (no address at all) as one bucket.
 */
export function addressBucket(address: string | undefined): string {
  if (!address) return 'unknown';
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return 'unknown';
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return ipv6Prefix(groups, 64);
}

/** The first `bits` (a multiple of 16) of an IPv6 address's groups, written as its network: `2001:db8:1::/48`. */
function ipv6Prefix(groups: number[], bits: 48 | 64): string {
  return `${groups
    .slice(0, bits / 16)
    .map((group) => group.toString(16))
    .join(':')}::/${bits}`;
}

/**
 * The network an address belongs to, coarse enough to say where a request came from without naming
 * the device: an IPv4 address (IPv4-mapped ones included) by its /24, an IPv6 address by its /48 (a
 * site). 'unknown' without an address.
 */
export function coarseNetwork(address: string | undefined): string {
  if (!address) return 'unknown';
  const bucket = addressBucket(address);
  if (isIPv4(bucket)) return `${bucket.split('.').slice(0, 3).join('.')}.0/24`;
  if (!isIPv6(address)) return 'unknown';
  return ipv6Prefix(ipv6Groups(address), 48);
}
