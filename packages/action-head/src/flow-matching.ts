/** Flow matching with t = 0 noise and t = 1 data, as GR00T-N1.5 trains its action head. */

/** A standard normal sample (Box-Muller) from a uniform generator. */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * A training time `t = s · (1 - u)` with `u ~ Beta(1.5, 1)` and `s = 0.999` (more weight near the noise
 * end). Beta(a, 1) has CDF u^a, so u = v^(1/a) for uniform v.
 */
export function sampleFlowTime(random: () => number, s = 0.999, alpha = 1.5): number {
  return s * (1 - random() ** (1 / alpha));
}

/** The time bucket fed to the timestep embedding: `floor(t · buckets)`, at most `buckets - 1`. */
export function timestepBucket(t: number, buckets: number): number {
  return Math.min(buckets - 1, Math.floor(t * buckets));
}

/** Inputs and targets of one flow-matching training batch. */
export interface FlowBatch {
  /** `x_t = (1 - t) · noise + t · actions`, `[batch, horizon, actionDim]`. */
  noisy: Float32Array;
  /** The velocity to regress, `actions - noise`. */
  target: Float32Array;
  /** Time buckets, `[batch]`, as floats for the sinusoidal embedding. */
  buckets: Float32Array;
}

/** Draws noise and times for a batch of action chunks (row-major `[batch, horizon, actionDim]`). */
export function flowMatchingBatch(
  actions: Float32Array,
  batch: number,
  buckets: number,
  random: () => number,
): FlowBatch {
  const per = actions.length / batch;
  const noisy = new Float32Array(actions.length);
  const target = new Float32Array(actions.length);
  const bucketOut = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const t = sampleFlowTime(random);
    bucketOut[b] = timestepBucket(t, buckets);
    for (let i = b * per; i < (b + 1) * per; i++) {
      const noise = gaussian(random);
      noisy[i] = (1 - t) * noise + t * actions[i];
      target[i] = actions[i] - noise;
    }
  }
  return { noisy, target, buckets: bucketOut };
}

/** The K Euler steps' time buckets: `k / K · buckets` (0, 250, 500, 750 for K = 4). */
export function eulerBuckets(steps: number, buckets: number): number[] {
  return Array.from({ length: steps }, (_, k) => Math.floor((k / steps) * buckets));
}
