import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ThreadProfile } from './results.js';

/** The parts of a V8 .cpuprofile file (written by `node --cpu-prof`) this summary reads. */
interface CpuProfile {
  /** Microseconds on the monotonic clock (the one process.hrtime reads). */
  startTime: number;
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The thread a profile was taken on, told by its entry module. */
function threadOf(profile: CpuProfile): string {
  const urls = new Set(profile.nodes.map((node) => node.callFrame.url));
  const entry = (name: string) => [...urls].some((url) => url.endsWith(name));
  if (entry('/index-worker.js')) return 'Retrieval index worker';
  if (entry('/checkpoint-worker.js')) return 'WAL checkpoint worker';
  return 'Main thread';
}

function shortLocation(url: string, root: string): string {
  if (url === '') return '';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

/** "node_modules/kysely", "dist/retrieval/sparse-vector-index.js", "node:internal", "(garbage collector)". */
function moduleOf(location: string, name: string): string {
  if (location === '') return name.startsWith('(') ? name : '(native)';
  const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(location);
  if (packaged) return `node_modules/${packaged[1]}`;
  if (location.startsWith('node:'))
    return location.split('/')[0] === 'node:internal' ? 'node:internal' : location;
  return location;
}

/** Microseconds on the monotonic clock that --cpu-prof timestamps use, comparable across processes. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Summarises the samples taken at or after `sinceMicros` (monotonicMicros()), by default all of them. */
export function summarizeProfile(file: string, root: string, sinceMicros = 0, limit = 15): ThreadProfile {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfByFunction = new Map<string, { name: string; location: string; time: number }>();
  const selfByModule = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  let sampledAt = profile.startTime;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    sampledAt += delta;
    const frame = byNode.get(nodeId);
    if (!frame || sampledAt < sinceMicros) return;
    if (frame.functionName === '(idle)') {
      idle += delta;
      return;
    }
    busy += delta;
    const location = shortLocation(frame.url, root);
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${location}:${frame.lineNumber}`;
    const entry = selfByFunction.get(key) ?? {
      name,
      location: location === '' ? '' : `${location}:${frame.lineNumber + 1}`,
      time: 0,
    };
    entry.time += delta;
    selfByFunction.set(key, entry);
    const module = moduleOf(location, name);
    selfByModule.set(module, (selfByModule.get(module) ?? 0) + delta);
  });
  const percent = (time: number) => (busy === 0 ? 0 : (time / busy) * 100);
  return {
    thread: threadOf(profile),
    idlePercent: idle + busy === 0 ? 0 : (idle / (idle + busy)) * 100,
    functions: [...selfByFunction.values()]
      .sort((left, right) => right.time - left.time)
      .slice(0, limit)
      .map((entry) => ({ name: entry.name, location: entry.location, selfPercent: percent(entry.time) })),
    modules: [...selfByModule.entries()]
      .sort((left, right) => right[1] - left[1])
      .slice(0, limit)
      .map(([name, time]) => ({ name, location: '', selfPercent: percent(time) })),
  };
}
