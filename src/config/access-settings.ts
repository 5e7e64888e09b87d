import { isIP } from 'node:net';
import { z } from 'zod';

/** "1", "1 and 2", "1, 2 and 3". */
function enumerate(numbers: number[]): string {
  return numbers.length === 1
    ? String(numbers[0])
    : `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
}

type Entries = { ok: true; entries: string[] } | { ok: false; message: string };

/**
 * The entries of a comma-separated list, trimmed. Unset or blank: none. Otherwise every entry must hold
 * something: `KEYS=,` or `a,,b` mostly come from a variable that expanded to nothing (`KEYS=$FIRST,$SECOND`),
 * and quietly dropping it could leave a list empty, which for ADMIN_API_KEYS turns keys off altogether.
 */
function splitList(raw: string, what: string): Entries {
  if (raw.trim() === '') return { ok: true, entries: [] };
  const entries = raw.split(',').map((entry) => entry.trim());
  const empty = entries.flatMap((entry, index) => (entry === '' ? [index + 1] : []));
  if (empty.length === 0) return { ok: true, entries };
  const which = empty.length === 1 ? `entry ${empty[0]} is` : `entries ${enumerate(empty)} are`;
  return { ok: false, message: `${which} empty (expected comma-separated ${what}, none of them empty)` };
}

/** A comma-separated list whose every entry passes `check` (which returns a problem, or undefined). */
export function commaList(what: string, check: (entry: string) => string | undefined = () => undefined) {
  return z
    .string()
    .default('')
    .transform((raw, context) => {
      const split = splitList(raw, what);
      const problems = split.ok
        ? split.entries.flatMap((entry, index) => {
            const problem = check(entry);
            return problem === undefined ? [] : [`entry ${index + 1} ${problem}`];
          })
        : [split.message];
      for (const message of problems) context.addIssue({ code: 'custom', message });
      return split.ok && problems.length === 0 ? split.entries : z.NEVER;
    });
}

/** Each API key long enough not to be guessed. */
export const MIN_API_KEY_LENGTH = 16;

/**
 * Comma-separated API keys (ADMIN_API_KEYS, USER_API_KEYS). A key is sent as `Authorization: Bearer <key>`,
 * so one with a space or a non-ASCII character could never be presented. Problems name the entry's
 * position, never the key: these messages go to the console and the logs.
 */
export const apiKeyList = commaList('keys', (key) => {
  if (!/^[\x21-\x7e]+$/.test(key)) {
    return 'holds a space or a character other than printable ASCII (expected keys of ASCII letters, digits and punctuation)';
  }
  if (key.length < MIN_API_KEY_LENGTH) {
    return `is too short (expected comma-separated keys of at least ${MIN_API_KEY_LENGTH} characters)`;
  }
  return undefined;
});

/** proxy-addr's names for address ranges, which Fastify's trustProxy accepts beside addresses. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

const PROXY_EXPECTED =
  "expected the proxy's IP addresses or CIDR ranges (such as 127.0.0.1 or 10.0.0.0/8), or loopback, linklocal or uniquelocal";

function proxyProblem(entry: string): string | undefined {
  if (PROXY_RANGE_NAMES.includes(entry)) return undefined;
  // Fastify takes a number as a hop count but, unable to check the nearest hop's address, trusts nothing.
  if (/^\d+$/.test(entry)) {
    return `is a hop count, which cannot tell a proxy from a client (${PROXY_EXPECTED})`;
  }
  if (['true', '*'].includes(entry.toLowerCase())) {
    return `would trust every address, so that any client could name its own (${PROXY_EXPECTED})`;
  }
  const [address = '', bits, ...rest] = entry.split('/');
  const version = isIP(address);
  const maxBits = version === 4 ? 32 : 128;
  const validBits =
    bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) >= 1 && Number(bits) <= maxBits);
  if (version === 0 || rest.length > 0 || !validBits) return `"${entry}" is not valid (${PROXY_EXPECTED})`;
  return undefined;
}

/**
 * TRUST_PROXY: the reverse proxies whose X-Forwarded-For is believed, as Fastify's trustProxy takes them.
 * None (the default): a request's client is the address it connects from.
 */
export const trustedProxies = commaList('proxy addresses', proxyProblem);

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * SERVICE_HOSTNAMES: host names (or IP addresses) the service is reached under besides localhost and the
 * loopback addresses; lower case, IPv6 addresses without brackets. Without admin keys, admin routes answer
 * only requests addressed to one of these names (see src/http/local-requests.ts).
 */
export const serviceHostnames = commaList('host names', (entry) => {
  const address = entry.startsWith('[') && entry.endsWith(']') ? entry.slice(1, -1) : entry;
  return HOSTNAME.test(entry) || isIP(address) !== 0
    ? undefined
    : `"${entry}" is not a host name (expected names such as vasdom.example.com, without scheme or port)`;
}).transform((names) => names.map((name) => name.replace(/^\[(.*)\]$/, '$1').toLowerCase()));
