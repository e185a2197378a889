import { arch, cpus, platform, totalmem } from 'node:os';

/** The machine a benchmark ran on, as recorded in a report. */
export interface MachineInfo {
  /** `process.platform`, e.g. `linux`. */
  platform: string;
  /** `process.arch`, e.g. `x64`. */
  arch: string;
  /** The first CPU's model string, or `unknown`. */
  cpuModel: string;
  cpuCount: number;
  totalMemoryBytes: number;
  /** `process.version`, e.g. `v20.11.0`. */
  nodeVersion: string;
}

/** Describes the current machine from `node:os` and `process`. */
export function describeMachine(): MachineInfo {
  const cpuList = cpus();
  return {
    platform: platform(),
    arch: arch(),
    cpuModel: cpuList[0]?.model.trim() || 'unknown',
    cpuCount: cpuList.length,
    totalMemoryBytes: totalmem(),
    nodeVersion: process.version,
  };
}
