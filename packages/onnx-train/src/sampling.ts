import { GraphError } from './errors.js';

/** Log-softmax of one row of logits (float64, max-shifted). */
export function logSoftmaxRow(logits: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(logits, (z) => z - lse);
}

/** Options of {@link sampleToken}. */
export interface SamplingOptions {
  /** Default 1; 0 means greedy. */
  temperature?: number;
  /** Keep only the k most likely tokens; default all. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; default 1. */
  topP?: number;
  /** Uniform random numbers in [0, 1): pass a seeded generator for reproducible sampling. */
  random: () => number;
}

/**
 * Samples a token id from one row of logits with temperature, top-k and top-p (nucleus) filtering, in that
 * order (as Hugging Face `generate` applies them). Returns the id and its log-prob under the filtered,
 * temperature-scaled distribution (what a GRPO policy reports for the sampled token).
 */
export function sampleToken(
  logits: ArrayLike<number>,
  options: SamplingOptions,
): { id: number; logprob: number } {
  const n = logits.length;
  if (n === 0) throw new GraphError('sampleToken: empty logits');
  const temperature = options.temperature ?? 1;
  if (!(temperature >= 0)) throw new GraphError(`sampleToken: temperature must be >= 0, got ${temperature}`);
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
    return { id: best, logprob: 0 };
  }
  const scaled = Float64Array.from(logits, (z) => z / temperature);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scaled[b] - scaled[a]);
  let keep = Math.min(n, Math.max(1, options.topK ?? n));
  const topP = options.topP ?? 1;
  if (topP < 1) {
    const probs = Array.from(logSoftmaxRow(scaled), Math.exp);
    let cumulative = 0;
    for (let r = 0; r < keep; r++) {
      cumulative += probs[order[r]];
      if (cumulative >= topP) {
        keep = r + 1;
        break;
      }
    }
  }
  const kept = order.slice(0, keep);
  const logp = logSoftmaxRow(kept.map((i) => scaled[i]));
  let u = options.random();
  for (let r = 0; r < kept.length; r++) {
    u -= Math.exp(logp[r]);
    if (u < 0 || r === kept.length - 1) return { id: kept[r], logprob: logp[r] };
  }
  return { id: kept[0], logprob: logp[0] };
}
