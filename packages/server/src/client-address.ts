/**
 * Who is asking, for the per-address limits. The TCP peer, unless the peer is a proxy the operator
 * trusts (QAPI_TRUSTED_PROXIES): then the client is the right-most address in X-Forwarded-For that
 * is not itself a trusted proxy. Only trusted hops are skipped, so a client cannot pick its own
 * bucket by sending the header; a malformed entry ends the walk at the hop that added it.
 */
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import type { AppEnv } from './app.js';

export type ClientAddress = (c: Context<AppEnv>) => string | undefined;

/** The peer address of the connection (@hono/node-server puts the request in `env.incoming`). */
export const socketAddress: ClientAddress = (c) =>
  (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;

/** Strips an IPv4-mapped IPv6 prefix, so `::ffff:10.0.0.1` matches a trusted `10.0.0.0/8`. */
const plain = (address: string): string => {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? (mapped[1] as string) : address;
};

const family = (address: string): 'ipv4' | 'ipv6' | undefined => {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
};

/**
 * A list of addresses and CIDR ranges (`10.0.0.0/8`, `::1`); throws RangeError naming a bad
 * entry by its position (configuration errors never echo values).
 */
export const parseTrustedProxies = (entries: readonly string[]): BlockList => {
  const list = new BlockList();
  for (const [i, raw] of entries.entries()) {
    const entry = raw.trim();
    const bad = () => new RangeError(`entry ${i + 1} is not an IP address or CIDR range`);
    const [address = '', prefix, extra] = entry.split('/');
    const type = family(address);
    if (!type || extra !== undefined) throw bad();
    if (prefix === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const bits = Number(prefix);
    if (!/^\d{1,3}$/.test(prefix) || bits > (type === 'ipv4' ? 32 : 128)) {
      throw bad();
    }
    list.addSubnet(address, bits, type);
  }
  return list;
};

export const clientAddressVia = (trusted: BlockList | undefined): ClientAddress => {
  if (!trusted) return socketAddress;
  const isTrusted = (address: string): boolean => {
    const a = plain(address);
    const type = family(a);
    return type !== undefined && trusted.check(a, type);
  };
  return (c) => {
    const peer = socketAddress(c);
    if (!peer || !isTrusted(peer)) return peer;
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((h) => h.trim());
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      if (!family(plain(hop))) break; // not an address: nothing left of it can be believed
      client = hop;
      if (!isTrusted(hop)) break;
    }
    return client;
  };
};
