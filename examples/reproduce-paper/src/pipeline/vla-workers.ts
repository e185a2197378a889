import type { Shard } from '@roboalign/bench';
import type { PipelinePreset } from './presets.js';
import type { StageName } from './stage-runner.js';
import type { Variant } from './variants.js';
import { ABLATION_INPUT_SETS } from './vla.js';

/**
 * Which of the VLA stages (the head-input ablation and one benchmark per variant) a process runs: all of
 * them, then the report (the default); `'none'`, stopping before them; or `{ worker }`, one of `--jobs`'
 * processes, which runs its share ({@link vlaWorkerStages}) and stops before the report.
 */
export type VlaStageSelection = 'all' | 'none' | { worker: Shard };

/** A VLA stage and the heads it trains, the measure of its cost that dealing balances. */
export interface VlaStageLoad {
  stage: StageName;
  heads: number;
}

/**
 * Every VLA stage of a run with the heads it trains, in the pipeline's order: the variants' benchmarks, then
 * the ablation. Head training is most of a stage's time (3,000 steps ≈ 2 minutes a head on the 2-core CPUs),
 * and a stage's episodes grow with the same suites, so heads rank the stages by cost.
 */
export function vlaStageLoads(
  vla: Pick<PipelinePreset['vla'], 'suites' | 'headPerSuite' | 'headSeeds' | 'chains' | 'ablationTrials'>,
  variants: readonly Variant[],
): VlaStageLoad[] {
  const liberoHeads = vla.headPerSuite ? vla.suites.length : 1;
  const benchmarkHeads = vla.headSeeds * (liberoHeads + (vla.chains > 0 ? 1 : 0));
  return [
    ...variants.map((v) => ({ stage: `vla-${v}` as const, heads: benchmarkHeads })),
    ...(vla.ablationTrials > 0
      ? [{ stage: 'vla-ablation' as const, heads: ABLATION_INPUT_SETS * liberoHeads }]
      : []),
  ];
}

/**
 * The VLA stages of worker `worker.index` of `worker.count`, dealt longest first, each to the worker with
 * the fewest heads so far (ties to the lower index): with `paper`'s 16-head ablation beside 5-head
 * benchmarks, dealing round robin left one worker 11 heads longer than the other, running alone on half
 * the cores. Deterministic, so every worker computes the same deal.
 */
export function vlaWorkerStages(loads: readonly VlaStageLoad[], worker: Shard): StageName[] {
  if (!(Number.isInteger(worker.count) && worker.count >= 1))
    throw new Error(`VLA workers: count must be a positive integer, got ${worker.count}`);
  if (!(Number.isInteger(worker.index) && worker.index >= 0 && worker.index < worker.count))
    throw new Error(`VLA workers: index must be in 0..${worker.count - 1}, got ${worker.index}`);
  const totals = new Array<number>(worker.count).fill(0);
  const mine: StageName[] = [];
  // A stable sort keeps the pipeline's order among stages of equal cost.
  for (const { stage, heads } of [...loads].sort((a, b) => b.heads - a.heads)) {
    const least = totals.indexOf(Math.min(...totals));
    totals[least] += heads;
    if (least === worker.index) mine.push(stage);
  }
  return mine;
}

/** Whether a process with this selection runs `stage`, one of the run's VLA stages. */
export function runsVlaStage(
  selection: VlaStageSelection,
  stage: StageName,
  loads: readonly VlaStageLoad[],
): boolean {
  if (selection === 'all') return true;
  if (selection === 'none') return false;
  return vlaWorkerStages(loads, selection.worker).includes(stage);
}
