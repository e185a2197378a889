import {
  type PairedDifference,
  pairedBootstrapDifference,
  pairedSuccessDifference,
  wilsonInterval,
} from '@roboalign/bench';
import type { Variant } from './language-models.js';
import type { VlaScores } from './vla.js';

/** The paper's comparisons: RoboAlign against RoboAlign w/o RL and each baseline, and SFT against base. */
export const COMPARED_PAIRS: ReadonlyArray<readonly [Variant, Variant]> = [
  ['roboalign', 'roboalign-sft'],
  ['roboalign', 'sft-mllm'],
  ['roboalign', 'sft-fast'],
  ['roboalign', 'base'],
  ['roboalign-sft', 'base'],
];

/** One paired comparison A − B, as `results.json` stores it under `comparisons`. */
export interface Comparison extends PairedDifference {
  a: Variant;
  b: Variant;
  metric: 'libero-success' | 'calvin-length';
  /**
   * The difference relative to B's mean, in percent, with the difference's interval scaled the same way
   * (B's mean taken as known); null where B's mean is 0.
   */
  relative: { percent: number; ci95: [number, number] } | null;
  /** Whether the 95% interval of the difference excludes 0. */
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

/** Every episode outcome of a variant, suites in name order (the pairing key is suite, then index). */
function pooledOutcomes(scores: Pick<VlaScores, 'libero'>): boolean[] {
  return Object.keys(scores.libero)
    .sort()
    .flatMap((suite) => {
      const { outcomes } = scores.libero[suite];
      if (!Array.isArray(outcomes))
        throw new Error(
          `the ${suite} scores have no per-episode outcomes (a stage from an older version): re-run with --from vla-base`,
        );
      return outcomes;
    });
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function withRelative(
  a: Variant,
  b: Variant,
  metric: Comparison['metric'],
  d: PairedDifference,
  baseline: number,
): Comparison {
  const relative =
    baseline > 0
      ? {
          percent: (100 * d.difference) / baseline,
          ci95: [(100 * d.ci95[0]) / baseline, (100 * d.ci95[1]) / baseline] as [number, number],
        }
      : null;
  return { a, b, metric, ...d, relative, significant: d.ci95[0] > 0 || d.ci95[1] < 0 };
}

/**
 * The paired comparisons of {@link COMPARED_PAIRS} that both variants were evaluated for: McNemar's exact
 * test and Newcombe's interval over LIBERO-style episodes pooled across suites, and a paired bootstrap
 * over CALVIN-style chains. Pairs rely on every variant running the same initial states in the same order.
 */
export function pairedComparisons(
  variants: Partial<Record<Variant, Pick<VlaScores, 'libero' | 'calvin'>>>,
  seed: number,
): Comparison[] {
  const out: Comparison[] = [];
  for (const [a, b] of COMPARED_PAIRS) {
    const va = variants[a];
    const vb = variants[b];
    if (!va || !vb) continue;
    out.push(
      withRelative(
        a,
        b,
        'libero-success',
        pairedSuccessDifference(pooledOutcomes(va), pooledOutcomes(vb)),
        pooledLibero(vb).successRate,
      ),
    );
    out.push(
      withRelative(
        a,
        b,
        'calvin-length',
        pairedBootstrapDifference(va.calvin.lengths, vb.calvin.lengths, { seed }),
        mean(vb.calvin.lengths),
      ),
    );
  }
  return out;
}
