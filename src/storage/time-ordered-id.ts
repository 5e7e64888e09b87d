import { randomFillSync } from 'node:crypto';

const RANDOM_BYTES = 10;
/** Random bytes are drawn in bulk: one system call per 512 ids rather than one each. */
const pool = Buffer.alloc(RANDOM_BYTES * 512);
let poolOffset = pool.length;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made later sort
 * later, so new rows land at the end of the primary-key B-tree instead of on a random page, which keeps
 * inserts cheap as the tables grow. Within one millisecond the order is random.
 */
export function timeOrderedId(now = Date.now()): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const random = pool.subarray(poolOffset, poolOffset + RANDOM_BYTES);
  poolOffset += RANDOM_BYTES;
  const time = now.toString(16).padStart(12, '0');
  const hex = random.toString('hex');
  const variant = ((random[2] as number) & 0x3f) | 0x80;
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex.slice(0, 3)}-${variant.toString(16)}${hex.slice(6, 8)}-${hex.slice(8, 20)}`;
}
