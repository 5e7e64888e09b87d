import { execFile } from 'node:child_process';
import path from 'node:path';
import { childEnvironment, REPO_ROOT, TSX_LOADER } from '../api/support/child-service.js';

const CLI = path.join(REPO_ROOT, 'src/cli/main.ts');

/** Runs the command line as a user would (the TypeScript source through tsx), with `env` on top of a silent log. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX_LOADER, CLI, ...args],
      { cwd: REPO_ROOT, env: childEnvironment({ LOG_LEVEL: 'silent', ...env }) },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
