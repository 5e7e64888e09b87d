import { spawnSync } from 'node:child_process';

/** promtool, from Debian's `prometheus` package (.ci/run installs it when missing). */
export function promtool(args: string[], input?: string): { status: number; output: string } {
  const result = spawnSync('promtool', args, { input, encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `promtool could not be run (${result.error.message}); install it with: apt-get install prometheus`,
    );
  }
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}
