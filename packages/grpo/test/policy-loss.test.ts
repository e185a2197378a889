import { mulberry32 } from '@roboalign/utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { k3 } from '../src/kl.js';
import { LOSS_TYPES, type LossType } from '../src/loss-aggregation.js';
import { type PolicyLossBatch, type PolicyLossOptions, policyLoss } from '../src/policy-loss.js';
import { trlLoss, verlLoss } from './helpers/reference-losses.js';

const ln = Math.log;

describe('policyLoss by hand', () => {
  // Two completions of 2 and 3 tokens (the second padded to 3 in the mask), advantages +1 and -1.
  const batch: PolicyLossBatch = {
    logprobs: [
      [ln(0.5), ln(0.5)],
      [ln(0.2), ln(0.4), ln(0.1)],
    ],
    oldLogprobs: [
      [ln(0.5), ln(0.25)],
      [ln(0.2), ln(0.8), ln(0.1)],
    ],
    advantages: [1, -1],
    mask: [
      [1, 1],
      [1, 1, 0],
    ],
  };
  // ratios: row 0: 1, 2 (clipped to 1.2 for A > 0); row 1: 1, 0.5 (clipped to 0.8 for A < 0), masked.
  // per-token losses: -1, -1.2 | 1, 0.8 (max(0.5, 0.8)), masked
  const table: Array<[LossType, number]> = [
    ['grpo', ((-1 - 1.2) / 2 + (1 + 0.8) / 2) / 2],
    ['seq-mean-token-mean', ((-1 - 1.2) / 2 + (1 + 0.8) / 2) / 2],
    ['bnpo', (-1 - 1.2 + 1 + 0.8) / 4],
    ['token-mean', (-1 - 1.2 + 1 + 0.8) / 4],
    ['dapo', (-1 - 1.2 + 1 + 0.8) / 4],
    ['dr_grpo', (-1 - 1.2 + 1 + 0.8) / (2 * 3)],
    ['seq-mean-token-sum', (-1 - 1.2 + 1 + 0.8) / 2],
    ['seq-mean-token-sum-norm', (-1 - 1.2 + 1 + 0.8) / 3],
  ];
  it.each(table)('%s', (lossType, want) => {
    const r = policyLoss(batch, { lossType });
    expect(r.loss).toBeCloseTo(want, 14);
  });

  it('has zero gradient on clipped tokens and -A·r·w elsewhere', () => {
    const r = policyLoss(batch, { lossType: 'token-mean' });
    expect(r.gradLogprobs[0][0]).toBeCloseTo(-1 / 4, 14);
    expect(r.gradLogprobs[0][1]).toBe(0); // ratio 2 > 1.2, A > 0: clipped
    expect(r.gradLogprobs[1][0]).toBeCloseTo(1 / 4, 14);
    expect(r.gradLogprobs[1][1]).toBe(0); // ratio 0.5 < 0.8, A < 0: clipped
    expect(r.gradLogprobs[1][2]).toBe(0); // masked
    expect(r.metrics).toMatchObject({ clip_fraction_high: 0.25, clip_fraction_low: 0.25, tokens: 4 });
    expect(r.metrics.ratio_mean).toBeCloseTo((1 + 2 + 1 + 0.5) / 4, 14);
  });

  it('applies asymmetric clipping (epsHigh) and the dual clip for negative advantages', () => {
    const wide = policyLoss(batch, { lossType: 'token-mean', epsHigh: 1.5 });
    expect(wide.loss).toBeCloseTo((-1 - 2 + 1 + 0.8) / 4, 14);
    // A = -1 with ratio 5: -A·r = 5 > -A·C = 3, so the dual clip caps it at 3 with no gradient.
    const big = policyLoss(
      { logprobs: [[ln(5)]], oldLogprobs: [[0]], advantages: [-1] },
      { lossType: 'token-mean', clipRatioC: 3 },
    );
    expect(big.loss).toBeCloseTo(3, 14);
    expect(big.gradLogprobs[0][0]).toBe(0);
    expect(big.metrics.clip_fraction_dual).toBe(1);
  });

  it('adds beta times the k3 KL', () => {
    const ref = [
      [ln(0.25), ln(0.5)],
      [ln(0.2), ln(0.4), ln(0.1)],
    ];
    const r = policyLoss({ ...batch, refLogprobs: ref }, { lossType: 'token-mean', beta: 0.1 });
    // KL per token: exp(ref - logp) - (ref - logp) - 1: row 0 token 0: 0.5 - ln 0.5 - 1; others 0
    const kl = 0.5 - ln(0.5) - 1;
    expect(r.loss).toBeCloseTo((-1 - 1.2 + 1 + 0.8 + 0.1 * kl) / 4, 14);
    expect(r.metrics.kl_mean).toBeCloseTo(kl / 4, 14);
  });

  it('names what is wrong with bad input', () => {
    expect(() => policyLoss({ ...batch, advantages: [1] }, { lossType: 'bnpo' })).toThrow(
      /advantages has 1 entries/,
    );
    expect(() => policyLoss({ ...batch, oldLogprobs: [[0, 0], [0]] }, { lossType: 'bnpo' })).toThrow(
      /oldLogprobs row 1 has 1 tokens, logprobs row 1 has 3/,
    );
    expect(() =>
      policyLoss(
        {
          ...batch,
          mask: [
            [1, 2],
            [1, 1, 0],
          ],
        },
        { lossType: 'bnpo' },
      ),
    ).toThrow(/mask\[0\]\[1\] is 2/);
    expect(() => policyLoss(batch, { lossType: 'bnpo', beta: 0.1 })).toThrow(/refLogprobs is missing/);
    expect(() => policyLoss(batch, { lossType: 'nope' as LossType })).toThrow(/unknown lossType/);
    expect(() =>
      policyLoss(
        {
          ...batch,
          logprobs: [
            [Number.NaN, 0],
            [0, 0, 0],
          ],
        },
        { lossType: 'bnpo' },
      ),
    ).toThrow(/logprobs\[0\]\[0\] is NaN/);
  });
});

/** A random batch whose ratios stay away from the clip boundaries and KL clamps (no kinks within h). */
function randomBatch(
  seed: number,
  rows = 6,
  maxLen = 7,
): PolicyLossBatch & { refLogprobs: number[][]; mask: number[][] } {
  const rand = mulberry32(seed);
  const logprobs: number[][] = [];
  const oldLogprobs: number[][] = [];
  const refLogprobs: number[][] = [];
  const mask: number[][] = [];
  const advantages: number[] = [];
  for (let i = 0; i < rows; i++) {
    const len = 1 + Math.floor(rand() * maxLen);
    const lp: number[] = [];
    const old: number[] = [];
    const ref: number[] = [];
    const m: number[] = [];
    for (let t = 0; t < maxLen; t++) {
      const o = -0.1 - 3 * rand();
      // log-ratio in one of three bands: inside the trust region, above it, below it
      const band = rand();
      const lr = band < 0.5 ? 0.12 * (2 * rand() - 1) : band < 0.75 ? 0.5 + rand() : -0.6 - rand();
      lp.push(o + lr);
      old.push(o);
      ref.push(o + 0.5 * (2 * rand() - 1));
      m.push(t < len ? 1 : 0);
    }
    logprobs.push(lp);
    oldLogprobs.push(old);
    refLogprobs.push(ref);
    mask.push(m);
    advantages.push(2 * rand() - 1 || 0.5);
  }
  return { logprobs, oldLogprobs, refLogprobs, advantages, mask };
}

describe('policyLoss gradients (central finite differences)', () => {
  it.each(LOSS_TYPES)('are exact for %s, with KL and dual clip', (lossType) => {
    for (let seed = 1; seed <= 4; seed++) {
      const b = randomBatch(seed);
      const options: PolicyLossOptions = { lossType, epsLow: 0.2, epsHigh: 0.28, beta: 0.05, clipRatioC: 3 };
      const { gradLogprobs } = policyLoss(b, options);
      const h = 1e-6;
      b.logprobs.forEach((row, i) => {
        for (let t = 0; t < row.length; t++) {
          const shifted = (d: number) => {
            const lp = b.logprobs.map((r) => [...Array.from(r)]);
            lp[i][t] += d;
            return policyLoss({ ...b, logprobs: lp }, options).loss;
          };
          const numeric = (shifted(h) - shifted(-h)) / (2 * h);
          expect(Math.abs(gradLogprobs[i][t] - numeric)).toBeLessThan(1e-7 + 1e-5 * Math.abs(numeric));
        }
      });
    }
  });

  it('k3 derivative matches finite differences, and is zero where clamped', () => {
    const out: [number, number] = [0, 0];
    for (const [lp, ref] of [
      [-1, -0.3],
      [-2, -2.5],
      [-0.1, -3],
    ]) {
      const h = 1e-6;
      const numeric = (k3(lp + h, ref, [0, 0])[0] - k3(lp - h, ref, [0, 0])[0]) / (2 * h);
      expect(k3(lp, ref, out)[1]).toBeCloseTo(numeric, 6);
    }
    expect(k3(-30, 0, out)).toEqual([10, 0]); // value clamp
  });
});

describe('policyLoss properties', () => {
  it('zero advantages and beta 0 give zero loss and gradient', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(...LOSS_TYPES), (seed, lossType) => {
        const b = randomBatch(seed, 3, 4);
        const r = policyLoss({ ...b, advantages: [0, 0, 0] }, { lossType });
        expect(r.loss === 0).toBe(true); // +0 or -0
        for (const g of r.gradLogprobs) for (const v of g) expect(v === 0).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('ratio 1 is never clipped: the gradient is -A times the aggregation weight', () => {
    const b = randomBatch(7);
    const same = { ...b, oldLogprobs: b.logprobs };
    const r = policyLoss(same, { lossType: 'seq-mean-token-sum' });
    expect(r.metrics.clip_fraction_low + r.metrics.clip_fraction_high).toBe(0);
    r.gradLogprobs.forEach((g, i) => {
      g.forEach((v, t) => {
        expect(v).toBeCloseTo((-b.advantages[i] * b.mask[i][t]) / b.logprobs.length, 14);
      });
    });
  });

  it('permuting completions permutes the gradients and keeps the loss', () => {
    const b = randomBatch(9);
    const order = [3, 1, 5, 0, 2, 4];
    const permute = <T>(xs: readonly T[]) => order.map((k) => xs[k]);
    for (const lossType of LOSS_TYPES) {
      const a = policyLoss(b, { lossType, beta: 0.1 });
      const p = policyLoss(
        {
          logprobs: permute(b.logprobs),
          oldLogprobs: permute(b.oldLogprobs),
          refLogprobs: permute(b.refLogprobs),
          advantages: permute(Array.from(b.advantages)),
          mask: permute(b.mask),
        },
        { lossType, beta: 0.1 },
      );
      expect(p.loss).toBeCloseTo(a.loss, 12);
      order.forEach((k, j) => {
        expect(Array.from(p.gradLogprobs[j])).toEqual(Array.from(a.gradLogprobs[k]));
      });
    }
  });
});

describe('policyLoss against naive transcriptions of TRL and verl', () => {
  const rows = (r: readonly ArrayLike<number>[]) => r.map((x) => Array.from(x));
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(b));

  it.each(['grpo', 'bnpo', 'dr_grpo', 'dapo'] as const)('TRL %s to 1e-6 relative', (lossType) => {
    for (let seed = 20; seed < 40; seed++) {
      const b = randomBatch(seed);
      const opts = { epsLow: 0.2, epsHigh: 0.28, beta: seed % 2 ? 0.04 : 0 };
      const ours = policyLoss(b, { lossType, ...opts, logRatioClamp: Number.POSITIVE_INFINITY }).loss;
      const theirs = trlLoss(
        rows(b.logprobs),
        rows(b.oldLogprobs),
        b.refLogprobs,
        Array.from(b.advantages),
        b.mask,
        {
          lossType,
          ...opts,
          maxLen: 7,
        },
      );
      expect(rel(ours, theirs)).toBeLessThan(1e-6);
    }
  });

  it.each(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum', 'seq-mean-token-sum-norm'] as const)(
    'verl %s to 1e-6 relative',
    (mode) => {
      for (let seed = 40; seed < 60; seed++) {
        const b = randomBatch(seed);
        const ours = policyLoss(b, {
          lossType: mode,
          epsLow: 0.2,
          epsHigh: 0.3,
          clipRatioC: 3,
          beta: 0.01,
        }).loss;
        const theirs = verlLoss(
          rows(b.logprobs),
          rows(b.oldLogprobs),
          b.refLogprobs,
          Array.from(b.advantages),
          b.mask,
          {
            mode,
            clipLow: 0.2,
            clipHigh: 0.3,
            clipRatioC: 3,
            klCoef: 0.01,
          },
        );
        expect(rel(ours, theirs)).toBeLessThan(1e-6);
      }
    },
  );
});
