import { BlockList } from 'node:net';
import type { FastifyRequest } from 'fastify';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1, IPv4-mapped ones (::ffff:127.0.0.1) included. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  try {
    return LOOPBACK.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
}

/** Headers by which a proxy names the client it forwards for. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'] as const;

/**
 * Whether a request comes from a client on this machine. The client is request.ip: the address the
 * request connects from, or, when it comes from a trusted proxy (TRUST_PROXY), the client the proxy named
 * in X-Forwarded-For. A request that carries forwarding headers Fastify did not use to find its client
 * passed through a proxy whose client is unknown, so it is not local even though it connects from
 * loopback: a reverse proxy on this machine connects from loopback for every client on the internet.
 */
export function fromThisMachine(request: FastifyRequest, proxiesTrusted: boolean): boolean {
  if (!isLoopbackAddress(request.ip)) return false;
  // More than one address: Fastify followed X-Forwarded-For from a trusted proxy to the client.
  if (proxiesTrusted && (request.ips?.length ?? 0) > 1) return true;
  return FORWARDING_HEADERS.every((name) => request.headers[name] === undefined);
}
