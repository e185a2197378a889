import { CALVIN_STYLE_SUITE, chainSeed, initialStateSeed, LIBERO_STYLE_SUITES } from '@roboalign/bench';
import { seedFromParts } from '@roboalign/utils';
import type { Split } from './types.js';

/** CALVIN-style chains the evaluation may use: `evaluate` defaults to the suite's 1000. */
export const EVALUATION_CHAINS = CALVIN_STYLE_SUITE.defaultChains;

/**
 * Every seed the evaluation suites start from: the 50 fixed initial states of each of the 40 LIBERO-style
 * tasks (`initialStateSeed`) and the first {@link EVALUATION_CHAINS} CALVIN-style chains (`chainSeed`).
 */
export function evaluationSeeds(): Set<number> {
  const seeds = new Set<number>();
  for (const suite of LIBERO_STYLE_SUITES)
    for (let task = 0; task < suite.tasks.length; task++)
      for (let trial = 0; trial < suite.trialsPerTask; trial++)
        seeds.add(initialStateSeed(suite.name, task, trial));
  for (let chain = 0; chain < EVALUATION_CHAINS; chain++)
    seeds.add(chainSeed(CALVIN_STYLE_SUITE.name, chain));
  return seeds;
}

let cachedEvaluationSeeds: Set<number> | undefined;

/** `seedFromParts(...parts)`, drawn again (with a redraw counter appended) while it is in `excluded`. */
export function seedOutside(excluded: ReadonlySet<number>, ...parts: readonly (string | number)[]): number {
  let value = seedFromParts(...parts);
  for (let redraw = 1; excluded.has(value); redraw++) value = seedFromParts(...parts, 'redraw', redraw);
  return value;
}

/**
 * The seed of generator unit `unit` (a scene or an episode) of a source. Every unit has its own stream, so the
 * rows do not depend on how units are split across workers. The namespace (`roboalign-data`) differs from
 * bench's suite-name seeds, and a seed that still equals an evaluation seed is drawn again: no generated
 * scene starts where an evaluation episode starts (see {@link evaluationSeeds}). Held-out units differ from
 * training units by the `split` part.
 */
export function unitSeed(source: string, split: Split, seed: number, unit: number): number {
  cachedEvaluationSeeds ??= evaluationSeeds();
  return seedOutside(cachedEvaluationSeeds, 'roboalign-data', source, split, seed, unit);
}
