import {
  type PairedDifference,
  pairedBootstrapDifference,
  pairedSuccessDifference,
  percentileInterval95,
  wilsonInterval,
} from '@roboalign/bench';
import { mulberry32 } from '@roboalign/utils';
import { mean } from './mean.js';
import type { Variant } from './variants.js';
import type { VlaScores } from './vla.js';

/**
 * The paper's comparisons: RoboAlign against RoboAlign w/o RL and each baseline, and SFT against base; in runs
 * with the alternative alignments (Tables 6 and 7), RoboAlign against each, and each against base.
 */
export const COMPARED_PAIRS: ReadonlyArray<readonly [Variant, Variant]> = [
  ['roboalign', 'roboalign-sft'],
  ['roboalign', 'sft-mllm'],
  ['roboalign', 'sft-fast'],
  ['roboalign', 'base'],
  ['roboalign-sft', 'base'],
  ['roboalign', 'align-highlevel'],
  ['roboalign', 'align-trajectory'],
  ['align-highlevel', 'base'],
  ['align-trajectory', 'base'],
];

/** One paired comparison A − B, as `results.json` stores it under `comparisons`. */
export interface Comparison extends PairedDifference {
  a: Variant;
  b: Variant;
  metric: 'libero-success' | 'libero-success-by-task' | 'calvin-length';
  /**
   * The difference relative to B's mean, in percent, with a paired percentile-bootstrap 95% interval of
   * that ratio (resampling pairs; resamples where B's mean is 0 are dropped); null where B's mean is 0.
   */
  relative: { percent: number; ci95: [number, number] } | null;
  /** Whether the difference is significant at 5%: its interval excludes 0 and the test's p < 0.05. */
  significant: boolean;
}

/** LIBERO-style success pooled over suites: summed counts and the Wilson interval of the sums. */
export function pooledLibero(scores: Pick<VlaScores, 'libero'>): {
  successes: number;
  episodes: number;
  successRate: number;
  ci95: [number, number];
} {
  const suites = Object.values(scores.libero);
  const successes = suites.reduce((a, s) => a + s.successes, 0);
  const episodes = suites.reduce((a, s) => a + s.episodes, 0);
  const { low, high } = wilsonInterval(successes, episodes);
  return { successes, episodes, successRate: successes / episodes, ci95: [low, high] };
}

/** Each suite's episode outcomes, suites in name order (the pairing key is suite, then index). */
function outcomesBySuite(scores: Pick<VlaScores, 'libero'>): Array<[suite: string, outcomes: boolean[]]> {
  return Object.keys(scores.libero)
    .sort()
    .map((suite) => {
      const { outcomes } = scores.libero[suite];
      if (!Array.isArray(outcomes))
        throw new Error(
          `the ${suite} scores have no per-episode outcomes (a stage from an older version): re-run with --from vla-base`,
        );
      return [suite, outcomes];
    });
}

/** Every episode outcome of a variant, suites in name order. */
function pooledOutcomes(scores: Pick<VlaScores, 'libero'>): boolean[] {
  return outcomesBySuite(scores).flatMap(([, outcomes]) => outcomes);
}

/**
 * Each task's success rate, by head seed, then task, in suite-name order: the `trialsPerTask` episodes of a
 * task share one trained head and one task, so they are one cluster, not independent pairs.
 */
function taskSuccessRates(scores: Pick<VlaScores, 'libero'>, trialsPerTask: number): number[] {
  const rates: number[] = [];
  for (const [suite, outcomes] of outcomesBySuite(scores)) {
    if (outcomes.length % trialsPerTask !== 0)
      throw new Error(
        `the ${suite} scores have ${outcomes.length} outcomes, not a whole number of tasks at ${trialsPerTask} trials each`,
      );
    for (let start = 0; start < outcomes.length; start += trialsPerTask)
      rates.push(outcomes.slice(start, start + trialsPerTask).filter(Boolean).length / trialsPerTask);
  }
  return rates;
}

/** (mean A − mean B) / mean B in percent, with a paired percentile bootstrap; null where mean B is 0. */
export function relativeDifference(
  a: readonly number[],
  b: readonly number[],
  seed: number,
  resamples = 4000,
): Comparison['relative'] {
  const baseline = mean(b);
  if (!(baseline > 0)) return null;
  const rand = mulberry32(seed);
  const ratios: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < a.length; i++) {
      const k = Math.floor(rand() * a.length);
      sa += a[k];
      sb += b[k];
    }
    if (sb > 0) ratios.push((100 * (sa - sb)) / sb);
  }
  ratios.sort((x, y) => x - y);
  return {
    percent: (100 * (mean(a) - baseline)) / baseline,
    ci95: percentileInterval95(ratios),
  };
}

function comparison(
  a: Variant,
  b: Variant,
  metric: Comparison['metric'],
  d: PairedDifference,
  values: { a: readonly number[]; b: readonly number[] },
  seed: number,
): Comparison {
  return {
    a,
    b,
    metric,
    ...d,
    relative: relativeDifference(values.a, values.b, seed),
    significant: (d.ci95[0] > 0 || d.ci95[1] < 0) && d.pValue < 0.05,
  };
}

/**
 * The paired comparisons of {@link COMPARED_PAIRS} that both variants were evaluated for: McNemar's exact
 * test and Newcombe's interval over LIBERO-style episodes pooled across suites; with `trialsPerTask` above 1,
 * a paired bootstrap over tasks as well (`libero-success-by-task`), since McNemar treats the trials of a
 * task, which share a head, as independent; and a paired bootstrap over CALVIN-style chains where both ran
 * them. Pairs rely on every variant running the same initial states in the same order.
 */
export function pairedComparisons(
  variants: Partial<Record<Variant, Pick<VlaScores, 'libero' | 'calvin'>>>,
  seed: number,
  trialsPerTask = 1,
): Comparison[] {
  const out: Comparison[] = [];
  for (const [a, b] of COMPARED_PAIRS) {
    const va = variants[a];
    const vb = variants[b];
    if (!va || !vb) continue;
    const [oa, ob] = [pooledOutcomes(va), pooledOutcomes(vb)];
    const success = { a: oa.map(Number), b: ob.map(Number) };
    out.push(comparison(a, b, 'libero-success', pairedSuccessDifference(oa, ob), success, seed));
    if (trialsPerTask > 1) {
      const tasks = { a: taskSuccessRates(va, trialsPerTask), b: taskSuccessRates(vb, trialsPerTask) };
      const byTask = pairedBootstrapDifference(tasks.a, tasks.b, { seed });
      out.push(
        comparison(
          a,
          b,
          'libero-success-by-task',
          { ...byTask, test: `${byTask.test} over tasks` },
          tasks,
          seed,
        ),
      );
    }
    if (!va.calvin || !vb.calvin) continue;
    const lengths = { a: va.calvin.lengths, b: vb.calvin.lengths };
    out.push(
      comparison(
        a,
        b,
        'calvin-length',
        pairedBootstrapDifference(lengths.a, lengths.b, { seed }),
        lengths,
        seed,
      ),
    );
  }
  return out;
}

/** The language-model comparisons: what GRPO changed, and what the MLLM data changed next to FAST alone. */
export const LM_COMPARED_PAIRS: ReadonlyArray<readonly [Variant, Variant]> = [
  ['roboalign', 'roboalign-sft'],
  ['roboalign-sft', 'sft-fast'],
];

/** A paired comparison A − B of two language models over the same held-out FAST prompts. */
export interface LmComparison extends PairedDifference {
  a: Variant;
  b: Variant;
  metric: 'prefix-similarity' | 'action-mae';
}

/**
 * Paired bootstraps over held-out prompts (`lm.perPrompt`) for {@link LM_COMPARED_PAIRS}: prefix similarity
 * over every prompt, action error over the prompts where both models wrote action ids. Pairs missing per-prompt
 * figures (results written before they were kept) or sharing no scored prompt are left out.
 */
export function lmComparisons(
  variants: Partial<Record<Variant, { lm: { perPrompt?: LmPerPrompt } }>>,
  seed: number,
): LmComparison[] {
  const out: LmComparison[] = [];
  for (const [a, b] of LM_COMPARED_PAIRS) {
    const pa = variants[a]?.lm.perPrompt;
    const pb = variants[b]?.lm.perPrompt;
    if (!pa || !pb) continue;
    out.push({
      a,
      b,
      metric: 'prefix-similarity',
      ...pairedBootstrapDifference(pa.prefixSimilarity, pb.prefixSimilarity, { seed }),
    });
    const both = pa.actionMae.flatMap((x, i) => {
      const y = pb.actionMae[i];
      return x !== null && y !== null ? [[x, y] as const] : [];
    });
    if (both.length === 0) continue;
    out.push({
      a,
      b,
      metric: 'action-mae',
      ...pairedBootstrapDifference(
        both.map(([x]) => x),
        both.map(([, y]) => y),
        { seed },
      ),
    });
  }
  return out;
}

/** Per-prompt language-model figures, as `lm.perPrompt` keeps them. */
export interface LmPerPrompt {
  prefixSimilarity: readonly number[];
  actionMae: readonly (number | null)[];
}
