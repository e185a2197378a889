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

/** AdamW's moments and step count, for checkpoints. */
export interface AdamWState {
  step: number;
  m: ReadonlyMap<string, Float64Array>;
  v: ReadonlyMap<string, Float64Array>;
}

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

  /** A copy of the optimizer state. */
  state(): AdamWState {
    const copy = (src: Map<string, Float64Array>) => new Map([...src].map(([k, a]) => [k, a.slice()]));
    return { step: this.t, m: copy(this.m), v: copy(this.v) };
  }

  /** Restores a state from {@link state} (or a checkpoint), so training resumes exactly. */
  load(state: AdamWState): void {
    this.t = state.step;
    this.m.clear();
    this.v.clear();
    for (const [k, a] of state.m) this.m.set(k, a.slice());
    for (const [k, a] of state.v) this.v.set(k, a.slice());
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
      const decay = 1 - lr * weightDecay;
      const stepSize = lr / c1;
      const invC2 = 1 / c2;
      const b1c = 1 - beta1;
      const b2c = 1 - beta2;
      // Check first, so that a bad gradient never reaches the parameters.
      let bad = 0;
      for (let i = 0; i < g.length; i++) bad += g[i] - g[i]; // NaN as soon as one entry is NaN or infinite
      if (bad !== 0) {
        const at = Array.from(g).findIndex((x) => !Number.isFinite(x));
        throw new GraphError(`AdamW: gradient of ${name}[${at}] is ${g[at]}`);
      }
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = beta1 * m[i] + b1c * gi;
        const vi = beta2 * v[i] + b2c * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * decay - (stepSize * mi) / (Math.sqrt(vi * invC2) + eps);
      }
    }
  }
}

/** Options of {@link SGD}. */
export interface SgdOptions {
  lr: number;
  /** Default 0. */
  momentum?: number;
  /** Coupled L2 weight decay, as `torch.optim.SGD` applies it; default 0. */
  weightDecay?: number;
}

/** Stochastic gradient descent with optional momentum, updating parameters in place. */
export class SGD {
  private readonly buffers = new Map<string, Float64Array>();

  constructor(readonly options: SgdOptions) {}

  step(params: Params, grads: ReadonlyMap<string, ArrayLike<number>>, lr = this.options.lr): void {
    const { momentum = 0, weightDecay = 0 } = this.options;
    for (const [name, g] of grads) {
      const p = params.get(name);
      if (p === undefined) throw new GraphError(`SGD: gradient for unknown parameter ${name}`);
      let b = this.buffers.get(name);
      if (momentum !== 0 && b === undefined) {
        b = new Float64Array(p.length);
        this.buffers.set(name, b);
      }
      for (let i = 0; i < p.length; i++) {
        let d = g[i] + weightDecay * p[i];
        if (b !== undefined) {
          b[i] = momentum * b[i] + d;
          d = b[i];
        }
        p[i] -= lr * d;
      }
    }
  }
}

/**
 * Scales gradients in place so that their global L2 norm is at most `maxNorm` (as
 * `torch.nn.utils.clip_grad_norm_`); returns the norm before clipping.
 */
export function clipGradNorm(
  grads: ReadonlyMap<string, Float32Array | Float64Array>,
  maxNorm: number,
): number {
  let sq = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  const scale = maxNorm / (norm + 1e-6);
  if (scale < 1) for (const g of grads.values()) for (let i = 0; i < g.length; i++) g[i] *= scale;
  return norm;
}

/** Adds `grads · scale` into `into` (gradient accumulation over micro-batches); returns `into`. */
export function accumulateGrads(
  into: Map<string, Float64Array>,
  grads: ReadonlyMap<string, ArrayLike<number>>,
  scale = 1,
): Map<string, Float64Array> {
  for (const [name, g] of grads) {
    let acc = into.get(name);
    if (acc === undefined) {
      acc = new Float64Array(g.length);
      into.set(name, acc);
    }
    for (let i = 0; i < g.length; i++) acc[i] += scale * g[i];
  }
  return into;
}

/** A constant learning rate. */
export const constantSchedule =
  (lr: number) =>
  (_step: number): number =>
    lr;

/** Linear warm-up to `lr`, then cosine decay to `minLr` at `totalSteps` (steps count from 0). */
export function cosineWithWarmup(options: {
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  minLr?: number;
}) {
  const { lr, warmupSteps, totalSteps, minLr = 0 } = options;
  return (step: number): number => {
    if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
    const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
  };
}
