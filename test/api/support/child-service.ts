import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { storageEnvironment } from '../../helpers/test-storage.js';

/** The repository root (test/api/support → ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MAIN_SCRIPT = path.join(REPO_ROOT, 'src/main.ts');
/** tsx's ESM loader by absolute path, so the service also starts from a working directory without node_modules. */
export const TSX_LOADER = path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs');

/** A port that was free a moment ago (the kernel picks it; the listener is closed again). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * Only what a child needs from this process's environment: no LLM keys, ports or data directories leak
 * in from the developer's shell.
 */
export function childEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  // Tests drive many requests from one address; the rate-limit test turns the limit on itself.
  return { ...base, RATE_LIMIT_PER_MINUTE: '0', ...extra };
}

export interface ChildService {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGKILL if still running and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServiceScript {
  /** What to run: by default the TypeScript source, src/main.ts. */
  script?: string;
  /** The loader registered first (by default tsx, for TypeScript); false for built JavaScript. */
  loader?: string | false;
}

export function spawnService(
  options: ServiceScript & { env: Record<string, string>; cwd?: string },
): ChildService {
  const loader = options.loader ?? 'tsx';
  const child = spawn(
    process.execPath,
    [...(loader === false ? [] : ['--import', loader]), options.script ?? MAIN_SCRIPT],
    {
      cwd: options.cwd ?? REPO_ROOT,
      env: childEnvironment(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Polls `/api/health` until it answers 200; fails early if the process exits. */
export async function waitUntilHealthy(baseUrl: string, service: ChildService, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly = false;
  void service.exited.then(() => {
    exitedEarly = true;
  });
  while (Date.now() < deadline) {
    if (exitedEarly) {
      throw new Error(`service exited before answering:\n${service.stderr()}\n${service.stdout()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`service did not become healthy within ${timeoutMs} ms:\n${service.stderr()}`);
}

/**
 * The service as a process of its own on a free loopback port, answering health: `env` (which names its
 * DATA_DIR) on top of NODE_ENV=test, a silent log and the database under test for that directory.
 */
export async function startChildService(
  env: Record<string, string>,
  script: ServiceScript = {},
): Promise<{ child: ChildService; baseUrl: string }> {
  const port = await freePort();
  const storage =
    env.DATA_DIR === undefined || env.DATABASE_URL !== undefined
      ? {}
      : await storageEnvironment(env.DATA_DIR);
  const child = spawnService({
    ...script,
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...storage, ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilHealthy(baseUrl, child);
  } catch (error) {
    await child.kill('SIGKILL');
    throw error;
  }
  return { child, baseUrl };
}
