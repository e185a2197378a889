import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type ort from 'onnxruntime-node';

/** One event of ONNX Runtime's profiler output (Chrome trace format), the fields a summary reads. */
export interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

/** Where the time of `steps` profiled runs went, per run. */
export interface ProfileSummary {
  steps: number;
  /** Wall time of `model_run` per run, ms. */
  runMs: number;
  /** Summed kernel time per run, ms. */
  kernelMs: number;
  /** Per operator type, slowest first: ms per run, share of kernel time, nodes per run. */
  ops: Array<{ op: string; ms: number; share: number; nodes: number }>;
  /** Per node, slowest first: ms per run. */
  nodes: Array<{ node: string; ms: number }>;
}

/** Sums kernel time by operator type and by node over `steps` runs (the first run's planning included). */
export function summarizeProfile(events: readonly ProfileEvent[], steps: number): ProfileSummary {
  const byOp = new Map<string, { us: number; count: number }>();
  const byNode = new Map<string, number>();
  let total = 0;
  let runUs = 0;
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') runUs += e.dur;
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? 'unknown';
    const entry = byOp.get(op) ?? { us: 0, count: 0 };
    entry.us += e.dur;
    entry.count++;
    byOp.set(op, entry);
    const node = e.name.replace(/_kernel_time$/, '');
    byNode.set(node, (byNode.get(node) ?? 0) + e.dur);
    total += e.dur;
  }
  return {
    steps,
    runMs: runUs / steps / 1000,
    kernelMs: total / steps / 1000,
    ops: [...byOp]
      .sort((a, b) => b[1].us - a[1].us)
      .map(([op, { us, count }]) => ({ op, ms: us / steps / 1000, share: us / total, nodes: count / steps })),
    nodes: [...byNode].sort((a, b) => b[1] - a[1]).map(([node, us]) => ({ node, ms: us / steps / 1000 })),
  };
}

/** The per-operator table of a summary as Markdown, leaving out operators under 0.5% of kernel time. */
export function profileTable(summary: ProfileSummary): string {
  const rows = summary.ops
    .filter((o) => o.share >= 0.005)
    .map((o) => `| ${o.op} | ${o.ms.toFixed(2)} | ${(100 * o.share).toFixed(1)}% | ${o.nodes} |`);
  return ['| op | ms/step | share | nodes |', '|---|---:|---:|---:|', ...rows].join('\n');
}

/**
 * Ends profiling of a session created with `enableProfiling` and `profileFilePrefix: prefix`, and reads the
 * events ONNX Runtime wrote (`<prefix>_<date>.json`, the newest one), deleting the file unless `keep`.
 */
export async function readProfile(
  session: ort.InferenceSession,
  prefix: string,
  keep = false,
): Promise<ProfileEvent[]> {
  session.endProfiling(); // writes the file and returns nothing
  const dir = dirname(prefix);
  const written = (await readdir(dir)).filter((f) => f.startsWith(`${basename(prefix)}_`)).sort();
  if (written.length === 0) throw new Error(`readProfile: ONNX Runtime wrote no ${prefix}_*.json`);
  const file = join(dir, written[written.length - 1]);
  const events = JSON.parse(await readFile(file, 'utf8')) as ProfileEvent[];
  if (!keep) await rm(file, { force: true });
  return events;
}
