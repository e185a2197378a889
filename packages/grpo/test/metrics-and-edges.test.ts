// What the first mutation-testing run (StrykerJS, docs/benchmarks.md) showed no test pinned down: the
// diagnostics policyLoss returns, the validation messages, the aggregation weights one by one, the
// completion mask, and the edges of the advantages and of the per-token terms.
import { describe, expect, it } from 'vitest';
import { completionMask } from '../src/completion-mask.js';
import { computeGroupAdvantages, type ScaleRewards } from '../src/group-advantages.js';
import { k3 } from '../src/kl.js';
import { aggregationWeights, type LossType } from '../src/loss-aggregation.js';
import { type PolicyLossBatch, policyLoss } from '../src/policy-loss.js';
import { importanceRatio, type TokenTerm } from '../src/surrogate.js';

const ln = Math.log;

describe('policyLoss metrics, by hand', () => {
  // Row 0: A = +1, ratios 1.5 and 1.0 (a third token masked). Row 1: A = -1, ratios 0.5, 4 and 1.1.
  const batch: PolicyLossBatch = {
    logprobs: [
      [ln(1.5), 0, -9],
      [ln(0.5), ln(4), ln(1.1)],
    ],
    oldLogprobs: [
      [0, 0, 0],
      [0, 0, 0],
    ],
    refLogprobs: [
      [0.2, -0.1, 0],
      [0.3, 0, -0.4],
    ],
    advantages: [1, -1],
    mask: [
      [1, 1, 0],
      [1, 1, 1],
    ],
  };
  const options = { lossType: 'bnpo', epsLow: 0.2, epsHigh: 0.28, beta: 0.1, clipRatioC: 3 } as const;

  it('reports ratio mean/min/max, clip fractions, KL and loss parts over unmasked tokens', () => {
    const { loss, metrics } = policyLoss(batch, options);
    const ratios = [1.5, 1, 0.5, 4, 1.1];
    const lps = [ln(1.5), 0, ln(0.5), ln(4), ln(1.1)];
    const refs = [0.2, -0.1, 0.3, 0, -0.4];
    const kls = lps.map((lp, i) => Math.exp(refs[i] - lp) - (refs[i] - lp) - 1);
    // Per-token surrogate: A=+1: max(-r, -clip(r)) → -1.28 (1.5 clipped high), -1; A=-1: max(r, clip(r))
    // → 0.8 (0.5 clipped low), min(4, dual 3) = 3 (dual clip binds), 1.1.
    const pg = [-1.28, -1, 0.8, 3, 1.1];
    const w = 1 / 5; // bnpo: one over the unmasked tokens
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(metrics.tokens).toBe(5);
    expect(metrics.ratio_mean).toBeCloseTo(sum(ratios) / 5, 12);
    expect(metrics.ratio_min).toBeCloseTo(0.5, 12);
    expect(metrics.ratio_max).toBeCloseTo(4, 12);
    expect(metrics.clip_fraction_high).toBeCloseTo(1 / 5, 12); // 1.5 > 1.28 with A > 0
    expect(metrics.clip_fraction_low).toBeCloseTo(1 / 5, 12); // 0.5 < 0.8 with A < 0
    expect(metrics.clip_fraction_dual).toBeCloseTo(1 / 5, 12); // 4 with A < 0, capped at 3
    expect(metrics.pg_loss).toBeCloseTo(w * sum(pg), 12);
    expect(metrics.kl_mean).toBeCloseTo(sum(kls) / 5, 12);
    expect(metrics.kl_loss).toBeCloseTo(0.1 * w * sum(kls), 12);
    expect(loss).toBeCloseTo(metrics.pg_loss + metrics.kl_loss, 12);
    expect(metrics.advantage_mean).toBe(0);
    expect(metrics.advantage_std).toBe(1);
  });

  it('reports advantage mean and (population) std', () => {
    const { metrics } = policyLoss(
      { logprobs: [[0], [0], [0]], oldLogprobs: [[0], [0], [0]], advantages: [1, 2, 6] },
      { lossType: 'grpo' },
    );
    expect(metrics.advantage_mean).toBeCloseTo(3, 12);
    expect(metrics.advantage_std).toBeCloseTo(Math.sqrt((4 + 1 + 9) / 3), 12);
  });

  it('ignores the reference when beta is 0, even if given', () => {
    const { metrics } = policyLoss(batch, { ...options, beta: 0 });
    expect(metrics.kl_mean).toBe(0);
    expect(metrics.kl_loss).toBe(0);
  });

  it('gives neutral metrics when every token is masked', () => {
    const { loss, gradLogprobs, metrics } = policyLoss(
      {
        ...batch,
        mask: [
          [0, 0, 0],
          [0, 0, 0],
        ],
      },
      options,
    );
    expect(loss).toBe(0);
    for (const row of gradLogprobs) expect(Array.from(row)).toEqual([0, 0, 0]);
    expect(metrics).toMatchObject({
      tokens: 0,
      ratio_mean: 0,
      ratio_min: 1,
      ratio_max: 1,
      clip_fraction_low: 0,
      clip_fraction_high: 0,
      clip_fraction_dual: 0,
      kl_mean: 0,
    });
  });

  it('does not clip at the clip bounds themselves (strict inequalities, as torch.clamp)', () => {
    const at = (logRatio: number, a: number) =>
      policyLoss(
        { logprobs: [[logRatio]], oldLogprobs: [[0]], advantages: [a] },
        { lossType: 'grpo', epsLow: 0.25, epsHigh: 0.5 },
      ).metrics;
    expect(at(ln(1.5), 1).clip_fraction_high).toBe(0);
    expect(at(ln(0.75), -1).clip_fraction_low).toBe(0);
    // On the other side of the advantage sign the same ratios never count.
    expect(at(ln(2), -1).clip_fraction_high).toBe(0);
    expect(at(ln(0.5), 1).clip_fraction_low).toBe(0);
  });
});

describe('policyLoss input checks name the problem', () => {
  const ok: PolicyLossBatch = { logprobs: [[-1, -2]], oldLogprobs: [[-1, -2]], advantages: [0.5] };

  it('rejects bad options and accepts their limits', () => {
    expect(() => policyLoss(ok, { lossType: 'grpo', epsLow: -0.1 })).toThrow(
      /epsLow and epsHigh must be >= 0/,
    );
    expect(() => policyLoss(ok, { lossType: 'grpo', epsHigh: -0.1 })).toThrow(
      /epsLow and epsHigh must be >= 0/,
    );
    expect(() => policyLoss(ok, { lossType: 'grpo', epsLow: 0, epsHigh: 0 })).not.toThrow();
    expect(() => policyLoss(ok, { lossType: 'grpo', beta: Number.NaN })).toThrow(
      /beta must be finite, got NaN/,
    );
    expect(() => policyLoss(ok, { lossType: 'grpo', clipRatioC: 1 })).toThrow(
      /clipRatioC must be greater than 1, got 1/,
    );
    expect(() => policyLoss(ok, { lossType: 'grpo', clipRatioC: 1.01 })).not.toThrow();
    expect(() => policyLoss(ok, { lossType: 'grpo', logRatioClamp: 0 })).toThrow(
      /logRatioClamp must be positive, got 0/,
    );
    expect(() => policyLoss(ok, { lossType: 'grpo', logRatioClamp: 1e-9 })).not.toThrow();
  });

  it('rejects mismatched shapes by input name', () => {
    expect(() => policyLoss({ ...ok, oldLogprobs: [[-1, -2], [0]] }, { lossType: 'grpo' })).toThrow(
      /oldLogprobs has 2 rows, logprobs has 1/,
    );
    expect(() => policyLoss({ ...ok, refLogprobs: [[0]] }, { lossType: 'grpo', beta: 0.1 })).toThrow(
      /refLogprobs row 0 has 1 tokens, logprobs row 0 has 2/,
    );
    expect(() => policyLoss({ ...ok, mask: [[1]] }, { lossType: 'grpo' })).toThrow(
      /mask row 0 has 1 tokens, logprobs row 0 has 2/,
    );
    expect(() => policyLoss({ ...ok, advantages: [Number.POSITIVE_INFINITY] }, { lossType: 'grpo' })).toThrow(
      /advantages\[0\] is Infinity/,
    );
  });

  it('names the input holding a non-finite value, even under the mask', () => {
    expect(() => policyLoss({ ...ok, logprobs: [[-1, Number.NaN]] }, { lossType: 'grpo' })).toThrow(
      /logprobs\[0\]\[1\] is NaN/,
    );
    expect(() =>
      policyLoss(
        { ...ok, refLogprobs: [[0, Number.NEGATIVE_INFINITY]], mask: [[1, 0]] },
        { lossType: 'grpo', beta: 0.1 },
      ),
    ).toThrow(/refLogprobs\[0\]\[1\] is -Infinity/);
  });
});

describe('aggregationWeights, one loss type at a time', () => {
  // Rows with 3, 1 and 0 unmasked tokens; padded length 4.
  const masks = [
    [1, 1, 1, 0],
    [1, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  const cases: Array<[LossType, number[]]> = [
    ['grpo', [1 / 9, 1 / 3, 1 / 3]], // 1 / (rows · max(count, 1))
    ['seq-mean-token-mean', [1 / 9, 1 / 3, 1 / 3]],
    ['bnpo', [1 / 4, 1 / 4, 1 / 4]], // 1 / tokens
    ['token-mean', [1 / 4, 1 / 4, 1 / 4]],
    ['dapo', [1 / 4, 1 / 4, 1 / 4]],
    ['dr_grpo', [1 / 12, 1 / 12, 1 / 12]], // 1 / (rows · max length)
    ['seq-mean-token-sum', [1 / 3, 1 / 3, 1 / 3]],
    ['seq-mean-token-sum-norm', [1 / 4, 1 / 4, 1 / 4]],
  ];
  it.each(cases)('%s', (lossType, want) => {
    const got = Array.from(aggregationWeights(masks, lossType));
    want.forEach((w, i) => {
      expect(got[i]).toBeCloseTo(w, 15);
    });
  });

  it('uses maxCompletionLength and numItemsInBatch when given, and checks them', () => {
    expect(aggregationWeights(masks, 'dr_grpo', { maxCompletionLength: 10 })[0]).toBeCloseTo(1 / 30, 15);
    expect(aggregationWeights(masks, 'dapo', { numItemsInBatch: 40 })[0]).toBeCloseTo(1 / 40, 15);
    expect(() => aggregationWeights(masks, 'dr_grpo', { maxCompletionLength: 0 })).toThrow(
      /maxCompletionLength must be positive for dr_grpo, got 0/,
    );
    expect(() => aggregationWeights(masks, 'seq-mean-token-sum-norm', { maxCompletionLength: 0 })).toThrow(
      /maxCompletionLength must be positive for seq-mean-token-sum-norm/,
    );
    // Other loss types never read it.
    expect(() => aggregationWeights(masks, 'grpo', { maxCompletionLength: 0 })).not.toThrow();
    expect(() => aggregationWeights(masks, 'dapo', { numItemsInBatch: 0 })).toThrow(
      /numItemsInBatch must be positive, got 0/,
    );
    expect(() => aggregationWeights(masks, 'nope' as LossType)).toThrow(
      /unknown lossType nope; expected one of grpo/,
    );
  });
});

describe('completionMask', () => {
  it('keeps tokens up to and including the first end token', () => {
    expect(Array.from(completionMask([5, 9, 2, 0, 0], 2))).toEqual([1, 1, 1, 0, 0]);
    expect(Array.from(completionMask([2, 2, 7], 2))).toEqual([1, 0, 0]);
  });

  it('keeps everything when there is no end token, and handles an empty completion', () => {
    expect(Array.from(completionMask([4, 5, 6], 2))).toEqual([1, 1, 1]);
    expect(Array.from(completionMask([], 2))).toEqual([]);
  });
});

describe('group advantages at the edges', () => {
  it('checks the scaling name and eps, and accepts eps 0', () => {
    expect(() => computeGroupAdvantages([1, 2], 2, { scaleRewards: 'max' as ScaleRewards })).toThrow(
      /scaleRewards must be 'group', 'batch' or 'none', got max/,
    );
    expect(() => computeGroupAdvantages([1, 2], 2, { eps: -1e-4 })).toThrow(
      /eps must be non-negative, got -0.0001/,
    );
    const { advantages } = computeGroupAdvantages([1, 3], 2, { eps: 0 });
    expect(Array.from(advantages)).toEqual([-1 / Math.SQRT2, 1 / Math.SQRT2]);
  });

  it("'batch' scaling of a single reward divides by 1 + eps, not by an undefined std", () => {
    // A group of one has mean 0 (verl), so the advantage is the reward over (1 + eps).
    const { advantages } = computeGroupAdvantages([5], 1, { scaleRewards: 'batch' });
    expect(advantages[0]).toBeCloseTo(5 / 1.0001, 12);
  });

  it('an empty batch has no zero-spread groups', () => {
    const result = computeGroupAdvantages([], 4);
    expect(result.advantages).toHaveLength(0);
    expect(result.zeroStdFraction).toBe(0);
  });
});

describe('per-token terms at their clamps', () => {
  it('importanceRatio passes the gradient at exactly the clamp (torch.clamp is inclusive)', () => {
    const out: TokenTerm = [0, 0];
    importanceRatio(20, 0, 20, out);
    expect(out).toEqual([Math.exp(20), Math.exp(20)]);
    importanceRatio(-20, 0, 20, out);
    expect(out).toEqual([Math.exp(-20), Math.exp(-20)]);
  });

  it('k3 caps the estimate at 10 with no gradient, for large log-ratios of either sign', () => {
    const out: [number, number] = [0, 0];
    expect(k3(0, 25, out)).toEqual([10, 0]);
    expect(k3(0, -25, out)).toEqual([10, 0]);
    expect(k3(0, 1, out)).toEqual([Math.E - 2, 1 - Math.E]);
  });
});
