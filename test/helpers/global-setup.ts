import { randomBytes } from 'node:crypto';
import { dropLeftoverTestDatabases, TEST_DATABASE } from './test-storage.js';

/**
 * With TEST_DATABASE=postgres: gives this run an id that its test databases are named with (the test
 * processes inherit it), and drops what the run left on the server when it ends, whatever happened.
 */
export default function setup(): (() => Promise<void>) | undefined {
  if (TEST_DATABASE !== 'postgres') return undefined;
  process.env.VASDOM_TEST_RUN = randomBytes(4).toString('hex');
  return async () => {
    await dropLeftoverTestDatabases();
  };
}
