import { describe, expect, it } from 'vitest';
import { clientAddress, normalizeAddress } from '../../web/client-address.ts';

describe('the client address (TRUST_PROXY)', () => {
  it('is the socket address without TRUST_PROXY, whatever X-Forwarded-For claims', () => {
    expect(clientAddress('10.0.0.2', '203.0.113.9')).toBe('10.0.0.2');
    expect(clientAddress('::ffff:10.0.0.2', '203.0.113.9', { kind: 'none' })).toBe('10.0.0.2');
    expect(clientAddress(null, '203.0.113.9', { kind: 'none' })).toBeNull();
  });

  it('with a hop count, reads X-Forwarded-For from the right, past that many proxies', () => {
    const one = { kind: 'hops', hops: 1 } as const;
    // A client may write anything on the left; the balancer appends the address it saw.
    expect(clientAddress('10.0.0.2', 'spoofed, 1.2.3.4, 203.0.113.9', one)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.2', '203.0.113.9', one)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.2', '198.51.100.7, 203.0.113.9, 10.0.0.3', { kind: 'hops', hops: 2 })).toBe('203.0.113.9');
    // Fewer entries than hops: the furthest one there is.
    expect(clientAddress('10.0.0.2', '203.0.113.9', { kind: 'hops', hops: 3 })).toBe('203.0.113.9');
    // No header: the socket.
    expect(clientAddress('10.0.0.2', undefined, one)).toBe('10.0.0.2');
    // An entry that is not an address is never the answer: the proxy that passed it on is.
    expect(clientAddress('10.0.0.2', '203.0.113.9, unknown', one)).toBe('10.0.0.2');
    // Ports and brackets are dropped, IPv6 lower-cased.
    expect(clientAddress('10.0.0.2', '[2001:DB8::1]:443', one)).toBe('2001:db8::1');
    expect(clientAddress('10.0.0.2', '203.0.113.9:5123', one)).toBe('203.0.113.9');
    // In-process requests (tests) have no socket; the caller stands where the proxy would.
    expect(clientAddress(null, '10.1.0.1', one)).toBe('10.1.0.1');
  });

  it('with a list, skips every hop inside it from the right and takes the first outside', () => {
    const trust = { kind: 'list', ranges: ['10.0.0.0/8', '192.168.1.10', 'fd00::/8'] } as const;
    expect(clientAddress('10.0.0.2', 'spoofed, 203.0.113.9, 192.168.1.10', trust)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:10.0.0.2', '203.0.113.9', trust)).toBe('203.0.113.9');
    expect(clientAddress('fd00::5', '2001:db8::9', trust)).toBe('2001:db8::9');
    // A peer that is not a trusted proxy is the client itself, whatever it forwards.
    expect(clientAddress('203.0.113.50', '10.0.0.9', trust)).toBe('203.0.113.50');
    expect(clientAddress('192.168.1.11', '203.0.113.9', trust)).toBe('192.168.1.11');
    // All hops trusted: the furthest.
    expect(clientAddress('10.0.0.2', '10.0.0.3', trust)).toBe('10.0.0.3');
    expect(clientAddress('10.0.0.2', 'garbage, 10.0.0.3', trust)).toBe('10.0.0.3');
  });

  it('normalizes what sockets and proxies write', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('::1')).toBe('::1');
    expect(normalizeAddress(' 10.0.0.1 ')).toBe('10.0.0.1');
    expect(normalizeAddress('not-an-ip')).toBeNull();
    expect(normalizeAddress('')).toBeNull();
  });
});
