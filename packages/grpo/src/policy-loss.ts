import { GrpoError } from './errors.js';
import { KL_LOG_RATIO_CLAMP, KL_VALUE_CLAMP } from './kl.js';
import { type AggregationOptions, aggregationWeights, type LossType } from './loss-aggregation.js';

/** One batch of completions: one row per completion, one value per token. */
export interface PolicyLossBatch {
  /** Log-probs of the sampled tokens under the policy being trained. */
  logprobs: readonly ArrayLike<number>[];
  /** Log-probs under the policy that sampled them. */
  oldLogprobs: readonly ArrayLike<number>[];
  /** Log-probs under the reference policy; needed when `beta` is not 0. */
  refLogprobs?: readonly ArrayLike<number>[];
  /** One advantage per completion. */
  advantages: ArrayLike<number>;
  /** 1 for tokens in the loss, 0 for padding; default all ones. */
  mask?: readonly ArrayLike<number>[];
}

/** Options of {@link policyLoss}. */
export interface PolicyLossOptions extends AggregationOptions {
  lossType: LossType;
  /** Lower clip: the ratio is kept above `1 - epsLow`; default 0.2. */
  epsLow?: number;
  /** Upper clip: the ratio is kept below `1 + epsHigh`; default `epsLow` (symmetric). */
  epsHigh?: number;
  /** Dual clip constant C (verl `clip_ratio_c`, EasyR1 `clip_ratio_dual`): for negative advantages the loss is at most `-A·C`. Off by default. */
  clipRatioC?: number;
  /** Coefficient of the k3 KL to the reference policy; default 0. */
  beta?: number;
  /** Clamp of `logp - oldLogp` before exponentiating, as verl does; default 20. `Infinity` turns it off (TRL). */
  logRatioClamp?: number;
}

/** Loss, its gradient with respect to each new log-prob, and diagnostics. */
export interface PolicyLossResult {
  loss: number;
  /** `∂loss/∂logprobs[i][t]`: seed these into any autodiff backend. */
  gradLogprobs: Float64Array[];
  /**
   * `clip_fraction_low` / `clip_fraction_high` (tokens whose ratio left the trust region on the side that
   * clipping stops: below 1 - epsLow with A < 0, above 1 + epsHigh with A > 0), `clip_fraction_dual`,
   * `ratio_mean` / `ratio_min` / `ratio_max`, `kl_mean`, `pg_loss`, `kl_loss`, `advantage_mean`,
   * `advantage_std`, `tokens` (all over unmasked tokens).
   */
  metrics: Record<string, number>;
}

function checkShape(
  name: string,
  rows: readonly ArrayLike<number>[] | undefined,
  shape: readonly ArrayLike<number>[],
): void {
  if (rows === undefined) return;
  if (rows.length !== shape.length) {
    throw new GrpoError(`${name} has ${rows.length} rows, logprobs has ${shape.length}`);
  }
  rows.forEach((row, i) => {
    if (row.length !== shape[i].length) {
      throw new GrpoError(
        `${name} row ${i} has ${row.length} tokens, logprobs row ${i} has ${shape[i].length}`,
      );
    }
  });
}

/** Finds which input holds a non-finite value at (i, t), for the error message. */
function nonFinite(batch: PolicyLossBatch, i: number, t: number): never {
  for (const name of ['logprobs', 'oldLogprobs', 'refLogprobs'] as const) {
    const v = batch[name]?.[i][t];
    if (v !== undefined && !Number.isFinite(v)) throw new GrpoError(`${name}[${i}][${t}] is ${v}`);
  }
  throw new GrpoError(`non-finite value at [${i}][${t}]`);
}

/**
 * The GRPO objective: per-token clipped surrogate with asymmetric clipping and optional dual clip,
 * plus `beta` times the k3 KL to a reference policy, aggregated as `lossType` says. Returns the exact
 * gradient with respect to each new log-prob. Where a clip or clamp is active the gradient is 0, as
 * autograd gives for `min`/`max`/`clamp` (at ties both branches have the same derivative).
 *
 * @example
 * const { loss, gradLogprobs, metrics } = policyLoss(
 *   { logprobs, oldLogprobs, refLogprobs, advantages, mask },
 *   { lossType: 'token-mean', epsLow: 0.2, epsHigh: 0.28, beta: 0.01 },
 * );
 */
export function policyLoss(batch: PolicyLossBatch, options: PolicyLossOptions): PolicyLossResult {
  const { logprobs, oldLogprobs, refLogprobs, advantages } = batch;
  const epsLow = options.epsLow ?? 0.2;
  const epsHigh = options.epsHigh ?? epsLow;
  const beta = options.beta ?? 0;
  const clampLr = options.logRatioClamp ?? 20;
  const dual = options.clipRatioC;
  if (!(epsLow >= 0) || !(epsHigh >= 0))
    throw new GrpoError(`epsLow and epsHigh must be >= 0, got ${epsLow}, ${epsHigh}`);
  if (!Number.isFinite(beta)) throw new GrpoError(`beta must be finite, got ${beta}`);
  if (dual !== undefined && !(dual > 1))
    throw new GrpoError(`clipRatioC must be greater than 1, got ${dual}`);
  if (!(clampLr > 0)) throw new GrpoError(`logRatioClamp must be positive, got ${clampLr}`);
  checkShape('oldLogprobs', oldLogprobs, logprobs);
  checkShape('refLogprobs', refLogprobs, logprobs);
  if (beta !== 0 && refLogprobs === undefined)
    throw new GrpoError('beta is not 0 but refLogprobs is missing');
  if (advantages.length !== logprobs.length) {
    throw new GrpoError(`advantages has ${advantages.length} entries, logprobs has ${logprobs.length} rows`);
  }
  for (let i = 0; i < advantages.length; i++) {
    if (!Number.isFinite(advantages[i])) throw new GrpoError(`advantages[${i}] is ${advantages[i]}`);
  }
  const mask = batch.mask ?? logprobs.map((row) => new Float64Array(row.length).fill(1));
  checkShape('mask', mask, logprobs);

  const weights = aggregationWeights(mask, options.lossType, options);
  let loss = 0;
  let pgLoss = 0;
  let klLoss = 0;
  let tokens = 0;
  let low = 0;
  let high = 0;
  let dualClipped = 0;
  let ratioSum = 0;
  let ratioMin = Number.POSITIVE_INFINITY;
  let ratioMax = Number.NEGATIVE_INFINITY;
  let klSum = 0;
  const lowBound = 1 - epsLow;
  const highBound = 1 + epsHigh;
  const gradLogprobs = logprobs.map((row, i) => {
    const grad = new Float64Array(row.length);
    const a = advantages[i];
    const old = oldLogprobs[i];
    const ref = refLogprobs?.[i];
    const w = weights[i];
    const m = mask[i];
    for (let t = 0; t < row.length; t++) {
      const mt = m[t];
      if (mt !== 0 && mt !== 1) throw new GrpoError(`mask[${i}][${t}] is ${mt}, expected 0 or 1`);
      const lp = row[t];
      let logRatio = lp - old[t];
      if (!(logRatio - logRatio === 0)) nonFinite(batch, i, t); // NaN or ±Infinity somewhere
      let dRatioScale = 1;
      if (logRatio > clampLr) {
        logRatio = clampLr;
        dRatioScale = 0;
      } else if (logRatio < -clampLr) {
        logRatio = -clampLr;
        dRatioScale = 0;
      }
      const ratio = Math.exp(logRatio);
      const clipped = Math.min(Math.max(ratio, lowBound), highBound);
      const unclippedLoss = -a * ratio;
      const clippedLoss = -a * clipped;
      // -min(A·r, A·clip(r)) = max(-A·r, -A·clip(r)); the clipped branch has no gradient.
      let pg: number;
      let dPg: number;
      if (unclippedLoss >= clippedLoss) {
        pg = unclippedLoss;
        dPg = -a * ratio * dRatioScale;
      } else {
        pg = clippedLoss;
        dPg = 0;
      }
      let dualActive = false;
      if (dual !== undefined && a < 0 && -a * dual < pg) {
        pg = -a * dual;
        dPg = 0;
        dualActive = true;
      }
      const wt = w * mt;
      let dToken = dPg;
      loss += wt * pg;
      pgLoss += wt * pg;
      if (ref !== undefined && beta !== 0) {
        // k3 with verl's clamps, inlined from kl.ts (the hot loop): see k3() for the definition.
        let delta = ref[t] - lp;
        if (!(delta - delta === 0)) nonFinite(batch, i, t);
        let dKl = 1;
        if (delta > KL_LOG_RATIO_CLAMP) {
          delta = KL_LOG_RATIO_CLAMP;
          dKl = 0;
        } else if (delta < -KL_LOG_RATIO_CLAMP) {
          delta = -KL_LOG_RATIO_CLAMP;
          dKl = 0;
        }
        const e = Math.exp(delta);
        let klValue = e - delta - 1;
        dKl *= 1 - e;
        if (klValue > KL_VALUE_CLAMP) {
          klValue = KL_VALUE_CLAMP;
          dKl = 0;
        }
        loss += wt * beta * klValue;
        dToken += beta * dKl;
        if (mt === 1) {
          klSum += klValue;
          klLoss += wt * klValue;
        }
      }
      grad[t] = wt * dToken;
      if (mt === 1) {
        tokens++;
        ratioSum += ratio;
        if (ratio < ratioMin) ratioMin = ratio;
        if (ratio > ratioMax) ratioMax = ratio;
        if (ratio < lowBound && a < 0) low++;
        if (ratio > highBound && a > 0) high++;
        if (dualActive) dualClipped++;
      }
    }
    return grad;
  });
  let advMean = 0;
  for (let i = 0; i < advantages.length; i++) advMean += advantages[i] / Math.max(advantages.length, 1);
  let advVar = 0;
  for (let i = 0; i < advantages.length; i++)
    advVar += (advantages[i] - advMean) ** 2 / Math.max(advantages.length, 1);
  const perToken = (x: number) => (tokens > 0 ? x / tokens : 0);
  return {
    loss,
    gradLogprobs,
    metrics: {
      pg_loss: pgLoss,
      kl_loss: beta * klLoss,
      kl_mean: perToken(klSum),
      clip_fraction_low: perToken(low),
      clip_fraction_high: perToken(high),
      clip_fraction_dual: perToken(dualClipped),
      ratio_mean: perToken(ratioSum),
      ratio_min: tokens > 0 ? ratioMin : 1,
      ratio_max: tokens > 0 ? ratioMax : 1,
      advantage_mean: advMean,
      advantage_std: Math.sqrt(advVar),
      tokens,
    },
  };
}
