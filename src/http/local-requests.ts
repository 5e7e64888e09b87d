import { BlockList, isIP } from 'node:net';
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

/** What a Host header may hold: a name or an IPv4 address, or an IPv6 one in brackets; a port. */
const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The host name of a Host header, as URL normalises it ('LocalHost:80' → 'localhost', '[::1]' stays). */
export function hostnameOf(host: string): string | undefined {
  if (!HOST_HEADER.test(host)) return undefined;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * The host names a request without an admin key may address admin routes by: `localhost`, the loopback
 * addresses (127.0.0.0/8, [::1]) and the configured ones. A browser page that an attacker's DNS rebinds to
 * 127.0.0.1 still sends its own name as Host, so checking the name defeats DNS rebinding. Subdomains of
 * localhost (app.localhost) are not taken: browsers resolve them to loopback themselves, but other
 * resolvers may ask DNS, and an attacker who answers for them could rebind them.
 */
export function localHostnames(configured: readonly string[]): (hostname: string | undefined) => boolean {
  const named = new Set(
    configured.map((name) => hostnameOf(isIP(name) === 6 ? `[${name}]` : name)).filter((name) => name),
  );
  return (hostname) => {
    if (hostname === undefined) return false;
    if (hostname === 'localhost' || named.has(hostname)) return true;
    const address = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    return isIP(address) !== 0 && isLoopbackAddress(address);
  };
}

/** Whether `origin` (an Origin header) is the origin a request to `host` (its Host header) addresses. */
function sameOrigin(origin: string, host: string): boolean {
  if (!HOST_HEADER.test(host)) return false;
  try {
    const page = new URL(origin);
    if (page.protocol !== 'http:' && page.protocol !== 'https:') return false;
    // The scheme the request came by is unknown behind a TLS proxy: the page's scheme stands in for it,
    // which also drops the port that is that scheme's default, as Origin does.
    return new URL(`${page.protocol}//${host}`).host === page.host && page.origin === origin;
  } catch {
    // Origin "null" (sandboxed frames, file: pages) and anything unreadable.
    return false;
  }
}

/**
 * Whether a browser sent the request from a page of another origin than the one it addresses, unless that
 * origin is among `allowedOrigins` ("*" allows all): a foreign Origin header or, on requests without one
 * (a GET from an image or a link), Sec-Fetch-Site: cross-site. Clients other than browsers send neither.
 */
export function fromAnotherSite(request: FastifyRequest, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && (allowedOrigins.includes('*') || allowedOrigins.includes(origin))) return false;
  if (origin !== undefined) return !sameOrigin(origin, request.host);
  return request.headers['sec-fetch-site'] === 'cross-site';
}
