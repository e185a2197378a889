import { type AdamWCoefficients, AdamWMoments } from './adamw-kernel.js';
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
 * step with bias correction, as `torch.optim.AdamW` orders them. Moments are float64. Float32 parameters
 * (with float32 or float64 gradients) are updated by a WebAssembly SIMD loop, bit-identical to the TypeScript one.
 */
export class AdamW {
  private readonly moments = new AdamWMoments();
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
    const m = new Map<string, Float64Array>();
    const v = new Map<string, Float64Array>();
    for (const name of this.moments.names()) {
      const slot = this.moments.get(name)!;
      m.set(name, slot.m.slice());
      v.set(name, slot.v.slice());
    }
    return { step: this.t, m, v };
  }

  /** Restores a state from {@link state} (or a checkpoint), so training resumes exactly. */
  load(state: AdamWState): void {
    this.t = state.step;
    this.moments.clear();
    for (const [name, m] of state.m) {
      const v = state.v.get(name);
      if (v === undefined || v.length !== m.length) {
        throw new GraphError(`AdamW.load: ${name} has first moments but no matching second moments`);
      }
      this.moments.set(name, m, v);
    }
  }

  /** One update of every parameter in `grads`; `lr` overrides the configured rate (schedules). */
  step(params: Params, grads: ReadonlyMap<string, ArrayLike<number>>, lr = this.options.lr): void {
    const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01 } = this.options;
    let scratch = 0;
    for (const [name, g] of grads) {
      const p = params.get(name);
      if (p === undefined) throw new GraphError(`AdamW: gradient for unknown parameter ${name}`);
      if (g.length !== p.length)
        throw new GraphError(`AdamW: gradient of ${name} has ${g.length} values, parameter ${p.length}`);
      scratch = Math.max(scratch, p.length);
    }
    // All memory growth happens here, before any update.
    this.moments.reserve(
      [...grads.keys()].map((name) => [name, params.get(name)!.length] as const),
      scratch,
    );
    this.t++;
    const coefficients: AdamWCoefficients = {
      beta1,
      beta2,
      eps,
      decay: 1 - lr * weightDecay,
      stepSize: lr / (1 - beta1 ** this.t),
      invC2: 1 / (1 - beta2 ** this.t),
    };
    for (const [name, g] of grads) {
      const p = params.get(name)!;
      // A bad gradient is caught before it reaches its parameter.
      if (this.moments.fast(name, p, g)) {
        if (
          this.moments.updateFloat32(name, p as Float32Array, g as Float32Array | Float64Array, coefficients)
        )
          continue;
      } else {
        const at = firstNonFinite(g);
        if (at < 0) {
          const { m, v } = this.moments.get(name)!;
          adamwUpdate(p, g, m, v, coefficients);
          continue;
        }
      }
      const at = firstNonFinite(g);
      throw new GraphError(`AdamW: gradient of ${name}[${at}] is ${g[at]}`);
    }
  }
}

/** The TypeScript AdamW loop (float64 parameters, plain arrays, or no WebAssembly SIMD). */
function adamwUpdate(
  p: Float32Array | Float64Array,
  g: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  { beta1, beta2, eps, decay, stepSize, invC2 }: AdamWCoefficients,
): void {
  const b1c = 1 - beta1;
  const b2c = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + b1c * gi;
    const vi = beta2 * v[i] + b2c * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * decay - (stepSize * mi) / (Math.sqrt(vi * invC2) + eps);
  }
}

/** Index of the first NaN or infinite entry, or -1. */
function firstNonFinite(g: ArrayLike<number>): number {
  for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) return i;
  return -1;
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
