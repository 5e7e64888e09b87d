import { constants } from 'node:fs';
import { access, readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import type { JobRunner } from '../platform/job-runner.js';

export interface SystemSample {
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
  diskFreeBytes: number;
  storageWritable: boolean;
  processRssBytes: number;
  processHeapUsedBytes: number;
  sampledAt: string;
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const times = cpu.times;
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { idle, total };
}

/** Memory in use, counting reclaimable page cache as free (MemAvailable) where the kernel reports it. */
async function memoryPercent(): Promise<number> {
  try {
    const meminfo = await readFile('/proc/meminfo', 'utf8');
    const total = Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1]);
    const available = Number(/MemAvailable:\s+(\d+)/.exec(meminfo)?.[1]);
    if (total > 0 && Number.isFinite(available)) return ((total - available) / total) * 100;
  } catch {
    // Not Linux: fall through to what Node reports.
  }
  return ((os.totalmem() - os.freemem()) / os.totalmem()) * 100;
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * Samples CPU, memory and the data directory's disk in the background, so that a health check only reads
 * the last sample and never waits on the system.
 */
export class SystemSampler {
  private previousCpu = cpuTimes();
  latest: SystemSample = {
    cpuPercent: 0,
    memoryPercent: 0,
    diskPercent: 0,
    diskFreeBytes: 0,
    storageWritable: false,
    processRssBytes: 0,
    processHeapUsedBytes: 0,
    sampledAt: new Date(0).toISOString(),
  };

  constructor(
    private readonly dataDirectory: string,
    private readonly intervalMs = 5000,
  ) {}

  /** Samples now, then every interval as the runner's job `system-sample`. */
  async start(jobs: Pick<JobRunner, 'register'>): Promise<void> {
    await this.sample();
    jobs.register({
      name: 'system-sample',
      schedule: { everyMs: this.intervalMs },
      work: () => this.sample(),
    });
  }

  async sample(): Promise<SystemSample> {
    const cpu = cpuTimes();
    const totalDelta = cpu.total - this.previousCpu.total;
    const cpuPercent = totalDelta > 0 ? (1 - (cpu.idle - this.previousCpu.idle) / totalDelta) * 100 : 0;
    this.previousCpu = cpu;
    let diskPercent = 0;
    let diskFreeBytes = 0;
    let storageWritable = false;
    try {
      const disk = await statfs(this.dataDirectory);
      diskFreeBytes = disk.bavail * disk.bsize;
      diskPercent = disk.blocks > 0 ? (1 - disk.bavail / disk.blocks) * 100 : 0;
      await access(this.dataDirectory, constants.W_OK);
      storageWritable = true;
    } catch {
      storageWritable = false;
    }
    const memory = process.memoryUsage();
    this.latest = {
      cpuPercent: round(cpuPercent),
      memoryPercent: round(await memoryPercent()),
      diskPercent: round(diskPercent),
      diskFreeBytes,
      storageWritable,
      processRssBytes: memory.rss,
      processHeapUsedBytes: memory.heapUsed,
      sampledAt: new Date().toISOString(),
    };
    return this.latest;
  }
}
