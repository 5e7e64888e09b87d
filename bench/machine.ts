import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  os: string;
  /** Commit of the measured code, with a note when src/ has uncommitted changes. */
  revision: string;
  /**
   * Milliseconds one core takes for a fixed piece of work (the median of seven, after two warm-up runs),
   * before the loads and after them: virtual machines of the same kind differ in speed from day to day,
   * even from minute to minute, and this tells a slow machine from slower code.
   */
  referenceWorkMs: { before: number; after: number | undefined };
}

/**
 * Fixed work of the kinds the service does: hashing strings, scattered typed-array updates (as a search
 * does) and float arithmetic. No Map or object keys: V8 seeds their hashing per process, which would
 * make the time itself vary from run to run.
 */
function referenceWork(): number {
  let hash = 0x811c9dc5;
  const values = new Float32Array(1 << 18);
  const word = 'подъезд-уборка-график';
  for (let round = 0; round < 2_000_000; round++) {
    hash = Math.imul(hash ^ word.charCodeAt(round % word.length), 0x01000193);
    const slot = (hash >>> 0) & (values.length - 1);
    values[slot] = (values[slot] as number) * 0.5 + Math.sqrt(round);
  }
  return (hash ^ (values[1] as number)) >>> 0;
}

export function measureReferenceWork(): number {
  const times: number[] = [];
  for (let run = 0; run < 9; run++) {
    const started = performance.now();
    referenceWork();
    times.push(performance.now() - started);
  }
  return times.slice(2).sort((left, right) => left - right)[3] as number;
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function revision(root: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: root,
      encoding: 'utf8',
    });
    return dirty.trim() === '' ? commit : `${commit} + uncommitted changes in src/`;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(root: string): MachineInfo {
  const cpuinfo = readOr('/proc/cpuinfo', '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const release = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readOr('/etc/os-release', ''))?.[1] ?? os.type();
  return {
    cpu: model,
    cores: os.availableParallelism(),
    ramGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${release}, kernel ${os.release()} (${os.arch()})`,
    revision: revision(root),
    referenceWorkMs: { before: measureReferenceWork(), after: undefined },
  };
}
