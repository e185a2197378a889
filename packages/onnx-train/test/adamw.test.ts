import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../src/init.js';
import { AdamW } from '../src/optim.js';

/**
 * torch.optim.AdamW's update written out plainly, float64 moments, one element at a time, with the same
 * floating-point operations in the same order as this package's loop (so results must agree bit for bit).
 */
class ReferenceAdamW {
  private readonly m = new Map<string, Float64Array>();
  private readonly v = new Map<string, Float64Array>();
  private t = 0;
  constructor(
    private readonly lr: number,
    private readonly weightDecay = 0.01,
  ) {}

  step(
    params: Map<string, Float32Array | Float64Array>,
    grads: Map<string, ArrayLike<number>>,
    lr = this.lr,
  ) {
    const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
    this.t++;
    for (const [name, g] of grads) {
      const p = params.get(name)!;
      if (!this.m.has(name)) {
        this.m.set(name, new Float64Array(p.length));
        this.v.set(name, new Float64Array(p.length));
      }
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const stepSize = lr / (1 - beta1 ** this.t);
      const invC2 = 1 / (1 - beta2 ** this.t);
      for (let i = 0; i < p.length; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        p[i] = p[i] * (1 - lr * this.weightDecay) - (stepSize * m[i]) / (Math.sqrt(v[i] * invC2) + eps);
      }
    }
  }
}

function randomArrays<T extends Float32Array | Float64Array>(
  make: (n: number) => T,
  lengths: number[],
  seed: number,
  scale = 1,
): Map<string, T> {
  const rand = mulberry32(seed);
  return new Map(
    lengths.map((n, k) => {
      const a = make(n);
      for (let i = 0; i < n; i++) a[i] = scale * (2 * rand() - 1);
      return [`p${k}`, a];
    }),
  );
}

const lengths = [1, 7, 64, 1001, 4096];
const f32 = (n: number) => new Float32Array(n);
const f64 = (n: number) => new Float64Array(n);

describe('AdamW', () => {
  it.each([
    ['float32 (WebAssembly)', f32],
    ['float64 (TypeScript)', f64],
  ] as const)('%s parameters follow the plain AdamW loop bit for bit', (_name, make) => {
    const params = randomArrays(make as (n: number) => Float32Array | Float64Array, lengths, 1);
    const expected = new Map([...params].map(([k, p]) => [k, p.slice()]));
    const opt = new AdamW({ lr: 1e-2 });
    const ref = new ReferenceAdamW(1e-2);
    for (let step = 0; step < 5; step++) {
      const grads = randomArrays(make as (n: number) => Float32Array | Float64Array, lengths, 10 + step, 0.1);
      const lr = step === 3 ? 3e-3 : undefined; // a scheduled rate
      opt.step(params, grads, lr);
      ref.step(expected, grads, lr);
    }
    for (const [k, p] of params) expect(Array.from(p)).toEqual(Array.from(expected.get(k)!));
  });

  it('float32 parameters with float64 (accumulated) gradients follow the plain loop bit for bit', () => {
    const params = randomArrays(f32, lengths, 6);
    const expected = new Map([...params].map(([k, p]) => [k, p.slice()]));
    const opt = new AdamW({ lr: 1e-2 });
    const ref = new ReferenceAdamW(1e-2);
    for (let step = 0; step < 4; step++) {
      const grads = randomArrays(f64, lengths, 30 + step, 0.1);
      opt.step(params, grads);
      ref.step(expected, grads);
    }
    for (const [k, p] of params) expect(Array.from(p)).toEqual(Array.from(expected.get(k)!));
  });

  it('leaves a parameter and its moments untouched when its gradient holds a NaN', () => {
    for (const [make, makeGrad] of [
      [f32, f32],
      [f32, f64],
      [f64, f64],
    ] as const) {
      const params = randomArrays(make as (n: number) => Float32Array | Float64Array, [9], 2);
      const opt = new AdamW({ lr: 1e-2 });
      opt.step(params, randomArrays(makeGrad as (n: number) => Float32Array | Float64Array, [9], 3));
      const before = params.get('p0')!.slice();
      const state = opt.state();
      const bad = randomArrays(makeGrad as (n: number) => Float32Array | Float64Array, [9], 4);
      bad.get('p0')![5] = Number.NaN;
      expect(() => opt.step(params, bad)).toThrow(/AdamW: gradient of p0\[5\] is NaN/);
      bad.get('p0')![5] = 0;
      bad.get('p0')![8] = Number.NEGATIVE_INFINITY; // past the last full vector
      expect(() => opt.step(params, bad)).toThrow(/AdamW: gradient of p0\[8\] is -Infinity/);
      expect(Array.from(params.get('p0')!)).toEqual(Array.from(before));
      const after = opt.state();
      expect(Array.from(after.m.get('p0')!)).toEqual(Array.from(state.m.get('p0')!));
      expect(Array.from(after.v.get('p0')!)).toEqual(Array.from(state.v.get('p0')!));
    }
  });

  it('resumes exactly from state(), and keeps moments when new parameters appear later', () => {
    const straight = randomArrays(f32, [300, 5], 5);
    const resumed = new Map([...straight].map(([k, p]) => [k, p.slice()]));
    const a = new AdamW({ lr: 1e-2 });
    const b = new AdamW({ lr: 1e-2 });
    const grads = (step: number, lens: number[]) => randomArrays(f32, lens, 20 + step, 0.1);
    for (let step = 0; step < 3; step++) {
      a.step(straight, grads(step, [300, 5]));
      b.step(resumed, grads(step, [300, 5]));
    }
    const c = new AdamW({ lr: 1e-2 });
    c.load(b.state());
    // A new, larger parameter grows the WebAssembly memory; earlier moments must survive.
    straight.set('p2', new Float32Array(70000).fill(0.5));
    resumed.set('p2', new Float32Array(70000).fill(0.5));
    for (let step = 3; step < 6; step++) {
      const g = grads(step, [300, 5, 70000]);
      a.step(straight, g);
      c.step(resumed, g);
    }
    expect(c.stepCount).toBe(6);
    for (const [k, p] of straight) expect(Array.from(resumed.get(k)!)).toEqual(Array.from(p));
  });
});
