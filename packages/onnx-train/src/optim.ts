import { GraphError } from './errors.js';

/** Options of {@link AdamW}; defaults as PyTorch's. */
export interface AdamWOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay; default 0.01. */
  weightDecay?: number;
}

type Params = ReadonlyMap<string, Float32Array | Float64Array>;

/**
 * AdamW (Loshchilov & Hutter), updating parameter arrays in place: decay `p -= lr·wd·p`, then the Adam
 * step with bias correction, as `torch.optim.AdamW` orders them.
 */
export class AdamW {
  private readonly m = new Map<string, Float64Array>();
  private readonly v = new Map<string, Float64Array>();
  private t = 0;

  constructor(readonly options: AdamWOptions) {
    if (!(options.lr >= 0)) throw new GraphError(`AdamW: lr must be non-negative, got ${options.lr}`);
  }

  /** Steps taken. */
  get stepCount(): number {
    return this.t;
  }

  /** One update of every parameter in `grads`; `lr` overrides the configured rate (schedules). */
  step(params: Params, grads: ReadonlyMap<string, ArrayLike<number>>, lr = this.options.lr): void {
    const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01 } = this.options;
    this.t++;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (const [name, g] of grads) {
      const p = params.get(name);
      if (p === undefined) throw new GraphError(`AdamW: gradient for unknown parameter ${name}`);
      if (g.length !== p.length)
        throw new GraphError(`AdamW: gradient of ${name} has ${g.length} values, parameter ${p.length}`);
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (m === undefined || v === undefined) {
        m = new Float64Array(p.length);
        v = new Float64Array(p.length);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        if (!Number.isFinite(gi)) throw new GraphError(`AdamW: gradient of ${name}[${i}] is ${gi}`);
        p[i] -= lr * weightDecay * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
    }
  }
}
