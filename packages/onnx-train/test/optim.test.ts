import { describe, expect, it } from 'vitest';
import { accumulateGrads, clipGradNorm, cosineWithWarmup, SGD } from '../src/optim.js';

describe('SGD', () => {
  it('applies momentum and coupled weight decay as torch.optim.SGD does', () => {
    const p = Float64Array.of(1);
    const opt = new SGD({ lr: 0.1, momentum: 0.9, weightDecay: 0.5 });
    opt.step(new Map([['w', p]]), new Map([['w', [2]]]));
    // d = 2 + 0.5 · 1 = 2.5; buffer 2.5; p = 1 - 0.25
    expect(p[0]).toBeCloseTo(0.75, 14);
    opt.step(new Map([['w', p]]), new Map([['w', [2]]]));
    // d = 2 + 0.375 = 2.375; buffer 0.9 · 2.5 + 2.375 = 4.625; p = 0.75 - 0.4625
    expect(p[0]).toBeCloseTo(0.2875, 14);
  });
});

describe('gradient utilities', () => {
  it('clips to the global norm and reports the norm before', () => {
    const grads = new Map([
      ['a', Float64Array.of(3, 0)],
      ['b', Float64Array.of(4)],
    ]);
    expect(clipGradNorm(grads, 1)).toBe(5);
    expect(grads.get('a')![0]).toBeCloseTo(0.6, 6);
    expect(grads.get('b')![0]).toBeCloseTo(0.8, 6);
    expect(clipGradNorm(grads, 10)).toBeCloseTo(1, 5); // under the limit: unchanged
  });

  it('accumulates scaled micro-batch gradients', () => {
    const acc = new Map<string, Float64Array>();
    accumulateGrads(acc, new Map([['w', [1, 2]]]), 0.5);
    accumulateGrads(acc, new Map([['w', [3, 4]]]), 0.5);
    expect(Array.from(acc.get('w')!)).toEqual([2, 3]);
  });

  it('warms up linearly, then decays along a cosine to the minimum', () => {
    const lr = cosineWithWarmup({ lr: 1, warmupSteps: 4, totalSteps: 14, minLr: 0.1 });
    expect([0, 1, 2, 3].map(lr)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(lr(4)).toBeCloseTo(1, 12);
    expect(lr(9)).toBeCloseTo(0.55, 12);
    expect(lr(14)).toBeCloseTo(0.1, 12);
    expect(lr(100)).toBeCloseTo(0.1, 12);
  });
});
