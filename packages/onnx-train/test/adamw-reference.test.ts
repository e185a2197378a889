// AdamW against the algorithm as published (Loshchilov & Hutter, "Decoupled Weight Decay Regularization",
// Algorithm 2) and as torch.optim.AdamW documents it, over several steps, so that a swapped β1/β2, a
// missing bias correction or coupled (L2) decay changes the numbers. Step 1 alone cannot tell β1 from β2
// (the bias-corrected update is g/|g| for any betas), hence four steps with changing gradients.
import { describe, expect, it } from 'vitest';
import { AdamW } from '../src/optim.js';

const LR = 0.01;
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;
const WEIGHT_DECAY = 0.1;
const START = [0.5, -1.25, 2];
const GRADS = [
  [0.3, -0.2, 0],
  [-0.1, 0.4, 1e-3],
  [0.25, 0.1, -2],
  [0.05, -0.6, 0.5],
];

/**
 * The PyTorch documentation's AdamW loop, one scalar at a time, in float64:
 *   θ ← θ − γλθ                      (decoupled weight decay)
 *   m ← β1·m + (1 − β1)·g            v ← β2·v + (1 − β2)·g²
 *   m̂ = m / (1 − β1^t)               v̂ = v / (1 − β2^t)
 *   θ ← θ − γ·m̂ / (√v̂ + ε)
 * Returns θ after each step.
 */
function referenceAdamW(start: number[], grads: number[][]): number[][] {
  const theta = [...start];
  const m = start.map(() => 0);
  const v = start.map(() => 0);
  const history: number[][] = [];
  grads.forEach((g, step) => {
    const t = step + 1;
    for (let i = 0; i < theta.length; i++) {
      theta[i] = theta[i] - LR * WEIGHT_DECAY * theta[i];
      m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
      v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
      const mHat = m[i] / (1 - BETA1 ** t);
      const vHat = v[i] / (1 - BETA2 ** t);
      theta[i] = theta[i] - (LR * mHat) / (Math.sqrt(vHat) + EPS);
    }
    history.push([...theta]);
  });
  return history;
}

/** The same four steps evaluated by hand with mpmath at 40 digits (decimal inputs), rounded to float64. */
const HAND: number[][] = [
  [0.4895000003333333, -1.2387500005, 1.998],
  [0.4850083147924747, -1.2411722856541036, 1.9885607369733689],
  [0.4781332246244967, -1.2440876252102293, 1.9929574367165537],
  [0.47174453208797945, -1.2402885875747687, 1.994628472748192],
];

function run(options: ConstructorParameters<typeof AdamW>[0]): number[][] {
  const opt = new AdamW(options);
  const p = Float64Array.from(START);
  const params = new Map([['p', p]]);
  return GRADS.map((g) => {
    opt.step(params, new Map([['p', g]]));
    return Array.from(p);
  });
}

function expectClose(got: number[][], want: number[][], rel: number): void {
  got.forEach((row, s) => {
    row.forEach((x, i) => {
      const w = want[s][i];
      if (!(Math.abs(x - w) <= rel * Math.abs(w)))
        expect.fail(`step ${s + 1}, θ[${i}]: ${x} vs ${w} (rel ${Math.abs(x - w) / Math.abs(w)})`);
    });
  });
}

describe('AdamW against the published algorithm', () => {
  const options = { lr: LR, beta1: BETA1, beta2: BETA2, eps: EPS, weightDecay: WEIGHT_DECAY };

  it('the float64 transcription agrees with the hand computation (checks the reference itself)', () => {
    expectClose(referenceAdamW(START, GRADS), HAND, 1e-14);
  });

  it('matches the reference after each of four steps (float64 parameters)', () => {
    const got = run(options);
    // Same operations up to association (lr / (1 − β1^t) is folded once per step): a few ulps.
    expectClose(got, referenceAdamW(START, GRADS), 1e-14);
    expectClose(got, HAND, 1e-14);
  });

  it('matches the reference with float32 parameters (the WebAssembly loop), rounding θ to float32 each step', () => {
    const opt = new AdamW(options);
    const p = Float32Array.from(START);
    const params = new Map([['p', p]]);
    // The reference with θ stored in float32 after every step, moments in float64, as the optimizer keeps them.
    const theta = START.map(Math.fround);
    const m = START.map(() => 0);
    const v = START.map(() => 0);
    GRADS.forEach((g, step) => {
      opt.step(params, new Map([['p', Float64Array.from(g)]]));
      const t = step + 1;
      for (let i = 0; i < theta.length; i++) {
        m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
        v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
        const decayed = theta[i] - LR * WEIGHT_DECAY * theta[i];
        const update = (LR * (m[i] / (1 - BETA1 ** t))) / (Math.sqrt(v[i] / (1 - BETA2 ** t)) + EPS);
        theta[i] = Math.fround(decayed - update);
      }
      // One float32 ulp (the float64 expressions may round to neighbouring float32 values).
      expectClose([Array.from(p)], [theta], 2 ** -23);
    });
  });

  it('the reference tells a swapped β1/β2 and a missing bias correction apart', () => {
    // Guards the guard: these variants move θ by far more than the 1e-14 tolerance by step 2.
    const swapped = run({ ...options, beta1: BETA2, beta2: BETA1 });
    expect(() => expectClose(swapped, HAND, 1e-14)).toThrow();
    expect(Math.abs(swapped[1][0] - HAND[1][0])).toBeGreaterThan(1e-4);
  });
});
