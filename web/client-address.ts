/**
 * @module
 * The client's address, as far as it can be known. Without TRUST_PROXY it is the address of
 * the socket (behind a load balancer: the balancer's). With it, X-Forwarded-For is read from the
 * right, where the entries our own proxies appended are, past the trusted proxies; entries
 * further left were written by the client and are never believed.
 * @example clientAddress('10.0.0.2', '203.0.113.9, 10.0.0.3', { kind: 'hops', hops: 2 }) // '203.0.113.9'
 */
import { BlockList, isIP } from 'node:net';
import type { TrustProxy } from '../config.ts';

/** `::ffff:10.0.0.1` → `10.0.0.1`, `[2001:db8::1]:443` → `2001:db8::1`, `10.0.0.1:5000` → `10.0.0.1`; null if not an address. */
export function normalizeAddress(value: string | null | undefined): string | null {
  if (!value) return null;
  let v = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed) v = bracketed[1]!;
  else if (/^[0-9.]+:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
  const mapped = /^::ffff:([0-9.]+)$/i.exec(v);
  if (mapped && isIP(mapped[1]!) === 4) v = mapped[1]!;
  const family = isIP(v);
  if (family === 0) return null;
  return family === 6 ? v.toLowerCase() : v;
}

const matchers = new WeakMap<TrustProxy, BlockList>();

function matcherOf(trust: Extract<TrustProxy, { kind: 'list' }>): BlockList {
  let list = matchers.get(trust);
  if (!list) {
    list = new BlockList();
    for (const range of trust.ranges) {
      const [address, prefix] = range.split('/');
      const type = isIP(address!) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) list.addAddress(address!, type);
      else list.addSubnet(address!, Number(prefix), type);
    }
    matchers.set(trust, list);
  }
  return list;
}

function isTrusted(list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address for a request that came from `socket` (null when the request was made
 * in-process, as tests do: there is no network peer, and it counts as our own proxy) carrying
 * `forwardedFor` (the X-Forwarded-For header, all of its values joined by commas).
 */
export function clientAddress(socket: string | null | undefined, forwardedFor: string | null | undefined, trust: TrustProxy = { kind: 'none' }): string | null {
  const peer = normalizeAddress(socket);
  if (trust.kind === 'none' || !forwardedFor) return peer;
  // Nearest first: the socket, then X-Forwarded-For from its right end. An entry that is not
  // an address stays in the chain as null, so it can never be picked.
  const hops: Array<string | null> = [peer, ...forwardedFor.split(',').map(normalizeAddress).reverse()];
  let i = 0;
  if (trust.kind === 'hops') {
    i = Math.min(trust.hops, hops.length - 1);
  } else {
    const list = matcherOf(trust);
    const proxy = (address: string | null, at: number) => (address === null ? at === 0 && socket == null : isTrusted(list, address));
    while (i < hops.length - 1 && proxy(hops[i]!, i)) i++;
  }
  // An entry that is not an address (`unknown`, garbage): the hop that passed it on is as near
  // to the client as we can tell.
  while (i > 0 && hops[i] === null) i--;
  return hops[i] ?? null;
}
