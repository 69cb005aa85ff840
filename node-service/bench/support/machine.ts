import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { storeVersions } from './service.js';

/** What a figure was measured on: without it a benchmark figure means little. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  postgres: string;
  valkey: string;
  date: string;
}

export async function describeMachine(): Promise<Machine> {
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU';
  const { postgres, valkey } = await storeVersions();
  return {
    cpus: availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: `Linux ${release()}`,
    postgres: `PostgreSQL ${postgres}`,
    valkey,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpus} CPUs (nproc; ${m.cpuModel}), ${m.memoryGiB} GiB memory, Node ${m.node}, ${m.kernel}, ${m.postgres}, ${m.valkey}; measured ${m.date}`;
}
