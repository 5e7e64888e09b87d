import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

export interface ServiceOptions {
  /** The repository root: dist/main.js is started from here. */
  root: string;
  dataDir: string;
  /** Working directory of the service; a scratch directory, so no stray .env is read. */
  cwd: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** What to run instead of dist/main.js (it must serve GET /api/health too). */
  script?: string;
  /** Settings on top of the benchmark's (which configure no LLM). */
  environment?: Record<string, string>;
}

export interface RunningService {
  child: ChildProcess;
  pid: number;
  port: number;
  baseUrl: string;
  /** Milliseconds from spawn to the first 200 from /api/health. */
  startupMs: number;
  /** What the service wrote to stderr/stdout (warnings and errors only at LOG_LEVEL=warn). */
  output(): string;
  stop(): Promise<void>;
}

export const HOST = '127.0.0.1';

/** A port nothing listens on right now (asked from the kernel, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** GET a path once; resolves with the status and body, or undefined when nothing answers yet. */
export function get(url: string, timeoutMs = 2000): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', () => resolve(undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** The environment of the service: no LLM (keys blanked even if the caller's shell has them). */
function serviceEnvironment(port: number, dataDir: string): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    if (process.env[name] !== undefined) environment[name] = process.env[name];
  }
  return {
    ...environment,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    LLM_BASE_URL: '',
    LLM_API_KEY: '',
    EMERGENT_LLM_KEY: '',
    DATABASE_URL: '',
    // The load comes from one address at thousands of requests a second.
    RATE_LIMIT_PER_MINUTE: '0',
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spawns `node dist/main.js` and waits for the first 200 from /api/health (polled every 5 ms). */
export async function startService(options: ServiceOptions, timeoutMs = 60_000): Promise<RunningService> {
  const port = await freePort();
  const baseUrl = `http://${HOST}:${port}`;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), options.script ?? path.join(options.root, 'dist/main.js')],
    {
      cwd: options.cwd,
      env: { ...serviceEnvironment(port, options.dataDir), ...options.environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = code;
      resolve();
    });
  });

  const stop = async () => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const killed = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
    if (!killed && exited === undefined) {
      child.kill('SIGKILL');
      await exit;
    }
  };

  for (;;) {
    if (exited !== undefined) throw new Error(`service exited with ${exited} during start-up:\n${output}`);
    const response = await get(`${baseUrl}/api/health`, 1000);
    if (response?.status === 200) break;
    if (performance.now() - started > timeoutMs) {
      await stop();
      throw new Error(`service did not become healthy in ${timeoutMs} ms:\n${output}`);
    }
    await sleep(5);
  }
  const startupMs = performance.now() - started;
  return { child, pid: child.pid as number, port, baseUrl, startupMs, output: () => output, stop };
}

export interface MemoryUsage {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size, MB. */
  peakRssMb: number;
}

/** VmRSS and VmHWM of a process, from /proc/<pid>/status. */
export function memoryOf(pid: number): MemoryUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? NaN);
  return { rssMb: kilobytes('VmRSS') / 1024, peakRssMb: kilobytes('VmHWM') / 1024 };
}
