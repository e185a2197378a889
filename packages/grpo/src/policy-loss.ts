import { GrpoError } from './errors.js';
import { k3 } from './kl.js';
import { type AggregationOptions, aggregationWeights, type LossType } from './loss-aggregation.js';
import { clippedSurrogate, dualClip, dualClipBinds, importanceRatio, type TokenTerm } from './surrogate.js';

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

/** The options with their defaults filled in and checked. */
interface ResolvedOptions {
  low: number;
  high: number;
  beta: number;
  logRatioClamp: number;
  dual: number | undefined;
}

function resolveOptions(options: PolicyLossOptions): ResolvedOptions {
  const epsLow = options.epsLow ?? 0.2;
  const epsHigh = options.epsHigh ?? epsLow;
  const beta = options.beta ?? 0;
  const logRatioClamp = options.logRatioClamp ?? 20;
  const dual = options.clipRatioC;
  if (!(epsLow >= 0) || !(epsHigh >= 0))
    throw new GrpoError(`epsLow and epsHigh must be >= 0, got ${epsLow}, ${epsHigh}`);
  if (!Number.isFinite(beta)) throw new GrpoError(`beta must be finite, got ${beta}`);
  if (dual !== undefined && !(dual > 1))
    throw new GrpoError(`clipRatioC must be greater than 1, got ${dual}`);
  if (!(logRatioClamp > 0)) throw new GrpoError(`logRatioClamp must be positive, got ${logRatioClamp}`);
  return { low: 1 - epsLow, high: 1 + epsHigh, beta, logRatioClamp, dual };
}

function checkBatch(batch: PolicyLossBatch, beta: number): readonly ArrayLike<number>[] {
  const { logprobs, oldLogprobs, refLogprobs, advantages } = batch;
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
  return mask;
}

/** What the loss pass leaves for the metrics pass: each unmasked token's ratio and KL, rows end to end. */
interface TokenValues {
  /** Where row `i` starts in `ratio` and `kl`. */
  offsets: Int32Array;
  ratio: Float64Array;
  /** Present when the KL term is on. */
  kl: Float64Array | undefined;
}

/**
 * The loss pass: per token, the clipped surrogate (with the dual clip) plus `beta` times k3, weighted by
 * the aggregation; the gradient with respect to each log-prob. Every token is checked (mask values, finite
 * inputs), but padding contributes nothing, so its terms are not computed.
 */
function lossPass(
  batch: PolicyLossBatch,
  mask: readonly ArrayLike<number>[],
  weights: Float64Array,
  o: ResolvedOptions,
): { loss: number; gradLogprobs: Float64Array[]; values: TokenValues } {
  const { logprobs, oldLogprobs, advantages } = batch;
  const ref = o.beta !== 0 ? batch.refLogprobs : undefined;
  const offsets = new Int32Array(logprobs.length + 1);
  for (let i = 0; i < logprobs.length; i++) offsets[i + 1] = offsets[i] + logprobs[i].length;
  const size = offsets[logprobs.length];
  const values: TokenValues = {
    offsets,
    ratio: new Float64Array(size),
    kl: ref ? new Float64Array(size) : undefined,
  };
  const term: TokenTerm = [0, 0];
  const kl: TokenTerm = [0, 0];
  let loss = 0;
  const gradLogprobs = logprobs.map((row, i) => {
    const grad = new Float64Array(row.length);
    const a = advantages[i];
    const old = oldLogprobs[i];
    const refRow = ref?.[i];
    const w = weights[i];
    const m = mask[i];
    const base = offsets[i];
    for (let t = 0; t < row.length; t++) {
      const mt = m[t];
      if (mt !== 0 && mt !== 1) throw new GrpoError(`mask[${i}][${t}] is ${mt}, expected 0 or 1`);
      const lp = row[t];
      const logRatio = lp - old[t];
      if (!(logRatio - logRatio === 0)) nonFinite(batch, i, t); // NaN or ±Infinity somewhere
      if (refRow !== undefined) {
        const delta = refRow[t] - lp;
        if (!(delta - delta === 0)) nonFinite(batch, i, t);
      }
      if (mt === 0) continue; // weight 0: no loss, no gradient
      importanceRatio(lp, old[t], o.logRatioClamp, term);
      const ratio = term[0];
      clippedSurrogate(ratio, term[1], a, o.low, o.high, term);
      if (o.dual !== undefined) dualClip(term[0], term[1], a, o.dual, term);
      let dToken = term[1];
      loss += w * term[0];
      if (refRow !== undefined) {
        k3(lp, refRow[t], kl);
        loss += w * o.beta * kl[0];
        dToken += o.beta * kl[1];
        values.kl![base + t] = kl[0];
      }
      grad[t] = w * dToken;
      values.ratio[base + t] = ratio;
    }
    return grad;
  });
  return { loss, gradLogprobs, values };
}

/** The metrics pass, over unmasked tokens only, from the ratios and KL values the loss pass kept. */
function lossMetrics(
  batch: PolicyLossBatch,
  mask: readonly ArrayLike<number>[],
  weights: Float64Array,
  values: TokenValues,
  o: ResolvedOptions,
): Record<string, number> {
  const { advantages } = batch;
  const term: TokenTerm = [0, 0];
  let pgLoss = 0;
  let klLoss = 0;
  let klSum = 0;
  let tokens = 0;
  let low = 0;
  let high = 0;
  let dualClipped = 0;
  let ratioSum = 0;
  let ratioMin = Number.POSITIVE_INFINITY;
  let ratioMax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < mask.length; i++) {
    const m = mask[i];
    const a = advantages[i];
    const w = weights[i];
    const base = values.offsets[i];
    for (let t = 0; t < m.length; t++) {
      if (m[t] === 0) continue;
      const ratio = values.ratio[base + t];
      // The surrogate's value needs no derivative; the dual clip is decided on it, as in the loss pass.
      let pg = clippedSurrogate(ratio, 0, a, o.low, o.high, term)[0];
      if (o.dual !== undefined && dualClipBinds(pg, a, o.dual)) {
        pg = -a * o.dual;
        dualClipped++;
      }
      pgLoss += w * pg;
      if (values.kl !== undefined) {
        const klValue = values.kl[base + t];
        klSum += klValue;
        klLoss += w * klValue;
      }
      tokens++;
      ratioSum += ratio;
      if (ratio < ratioMin) ratioMin = ratio;
      if (ratio > ratioMax) ratioMax = ratio;
      if (ratio < o.low && a < 0) low++;
      if (ratio > o.high && a > 0) high++;
    }
  }
  let advMean = 0;
  for (let i = 0; i < advantages.length; i++) advMean += advantages[i] / Math.max(advantages.length, 1);
  let advVar = 0;
  for (let i = 0; i < advantages.length; i++)
    advVar += (advantages[i] - advMean) ** 2 / Math.max(advantages.length, 1);
  const perToken = (x: number) => (tokens > 0 ? x / tokens : 0);
  return {
    pg_loss: pgLoss,
    kl_loss: o.beta * klLoss,
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
  };
}

/**
 * The GRPO objective: per-token clipped surrogate with asymmetric clipping and optional dual clip,
 * plus `beta` times the k3 KL to a reference policy, aggregated as `lossType` says. Returns the exact
 * gradient with respect to each new log-prob. Where a clip or clamp is active the gradient is 0, as
 * autograd gives for `min`/`max`/`clamp` (at ties both branches have the same derivative).
 *
 * The per-token terms are the pure functions of `surrogate.ts` and `kl.ts`; the aggregation is
 * {@link aggregationWeights}; the metrics come from a second pass over what the first kept.
 *
 * @example
 * const { loss, gradLogprobs, metrics } = policyLoss(
 *   { logprobs, oldLogprobs, refLogprobs, advantages, mask },
 *   { lossType: 'token-mean', epsLow: 0.2, epsHigh: 0.28, beta: 0.01 },
 * );
 */
export function policyLoss(batch: PolicyLossBatch, options: PolicyLossOptions): PolicyLossResult {
  const o = resolveOptions(options);
  const mask = checkBatch(batch, o.beta);
  const weights = aggregationWeights(mask, options.lossType, options);
  const { loss, gradLogprobs, values } = lossPass(batch, mask, weights, o);
  return { loss, gradLogprobs, metrics: lossMetrics(batch, mask, weights, values, o) };
}
