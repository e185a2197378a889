import { readFileSync } from 'node:fs';
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
  /**
   * The vector instruction sets ONNX Runtime picks its CPU kernels by (`avx2`, `fma`, `avx512f`, …), as
   * `/proc/cpuinfo` lists them; empty where that file is absent, and absent in reports written before 0.2.
   * Float results can differ between sets.
   */
  cpuFlags?: string[];
}

/** The instruction-set flags that change which CPU kernels run. */
const KERNEL_FLAGS = [
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx512f',
  'avx512bw',
  'avx512_vnni',
  'avx512_bf16',
  'amx_tile',
];

/** The {@link KERNEL_FLAGS} in a `/proc/cpuinfo` text's first `flags` line. */
export function cpuFlagsOf(cpuinfo: string): string[] {
  const line = cpuinfo.split('\n').find((l) => /^flags\s*:/.test(l));
  if (!line) return [];
  const present = new Set(
    line
      .slice(line.indexOf(':') + 1)
      .trim()
      .split(/\s+/),
  );
  return KERNEL_FLAGS.filter((f) => present.has(f));
}

function readCpuFlags(): string[] {
  try {
    return cpuFlagsOf(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch (error) {
    // Not Linux: there is no cpuinfo to read, and the model string is all a report can give.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
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
    cpuFlags: readCpuFlags(),
  };
}
