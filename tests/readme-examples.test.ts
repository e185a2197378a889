// The numbers the package READMEs promise, checked against the built packages.
import { groupAdvantages, PRESETS, policyLoss } from '@roboalign/grpo';
import { formatReward, prefixSimilarity, roboalignReward, roboalignRewardParts } from '@roboalign/rewards';
import { describe, expect, it } from 'vitest';

describe('@roboalign/rewards README', () => {
  it('gives the stated values', () => {
    const completion =
      '<think>the bowl is to the left, move left and down</think>\n' +
      '<answer><ACTION_START><FAST_4><FAST_8><FAST_1><ACTION_END></answer>';
    const target = [4, 8, 15, 16];
    expect(formatReward(completion)).toBe(1);
    expect(prefixSimilarity([4, 8, 1], target)).toBe(0.5);
    expect(roboalignReward(completion, target)).toBe(0.75);
    const parts = roboalignRewardParts(completion, target);
    expect(parts).toMatchObject({ reward: 0.75, format: 1, accuracy: 0.5 });
    expect(Array.from(parts.actionIds ?? [])).toEqual([4, 8, 1]);
  });
});

describe('@roboalign/grpo README', () => {
  it('gives the stated values', () => {
    const advantages = groupAdvantages([1, 0, 0.5, 0.5], 2);
    // ≈ [0.707, -0.707, 0, 0]: ±0.5 / (sqrt(0.5) + 1e-4)
    const expected = [Math.SQRT1_2, -Math.SQRT1_2, 0, 0];
    advantages.forEach((a, i) => {
      expect(a).toBeCloseTo(expected[i], 3);
    });
    const p = PRESETS.roboalign;
    const { loss, gradLogprobs, metrics } = policyLoss(
      {
        logprobs: [[-0.9, -1.2], [-2.0], [-0.3, -0.4], [-1.0]],
        oldLogprobs: [[-1.0, -1.2], [-2.1], [-0.3, -0.5], [-1.0]],
        refLogprobs: [[-1.0, -1.1], [-2.0], [-0.4, -0.5], [-1.1]],
        advantages,
      },
      { lossType: p.lossType, epsLow: p.epsLow, epsHigh: p.epsHigh, clipRatioC: p.clipRatioC, beta: p.beta },
    );
    expect(Number.isFinite(loss)).toBe(true);
    expect(gradLogprobs.map((g) => g.length)).toEqual([2, 1, 2, 1]);
    expect(metrics.tokens).toBe(6);
  });
});
