import type { Shard } from '@roboalign/bench';
import type { StageName } from './stage-runner.js';
import type { Variant } from './variants.js';

/**
 * Which of the VLA stages (the head-input ablation and one benchmark per variant) a process runs: all of
 * them, then the report (the default); `'none'`, stopping before them; or `{ worker }`, one of `--jobs`'
 * processes, which runs its share ({@link vlaWorkerStages}) and stops before the report.
 */
export type VlaStageSelection = 'all' | 'none' | { worker: Shard };

/**
 * The VLA stages of worker `worker.index` of `worker.count`: the variants' benchmarks in order, then the
 * ablation, dealt round robin. Each stage is about as costly as the next (a benchmark per variant), so
 * dealing them evenly keeps the workers' loads within one stage of each other; the ablation, the shorter
 * one, goes last.
 */
export function vlaWorkerStages(
  variants: readonly Variant[],
  withAblation: boolean,
  worker: Shard,
): StageName[] {
  if (!(Number.isInteger(worker.count) && worker.count >= 1))
    throw new Error(`VLA workers: count must be a positive integer, got ${worker.count}`);
  if (!(Number.isInteger(worker.index) && worker.index >= 0 && worker.index < worker.count))
    throw new Error(`VLA workers: index must be in 0..${worker.count - 1}, got ${worker.index}`);
  return vlaStageNames(variants, withAblation).filter((_, i) => i % worker.count === worker.index);
}

/** Every VLA stage of a run, in the order workers are dealt them: the variants' benchmarks, then the ablation. */
export function vlaStageNames(variants: readonly Variant[], withAblation: boolean): StageName[] {
  return [...variants.map((v) => `vla-${v}` as const), ...(withAblation ? (['vla-ablation'] as const) : [])];
}

/** Whether a process with this selection runs `stage` (a VLA stage of a run with these variants). */
export function runsVlaStage(
  selection: VlaStageSelection,
  stage: StageName,
  variants: readonly Variant[],
  withAblation: boolean,
): boolean {
  if (selection === 'all') return true;
  if (selection === 'none') return false;
  return vlaWorkerStages(variants, withAblation, selection.worker).includes(stage);
}
