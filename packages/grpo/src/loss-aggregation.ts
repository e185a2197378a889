import { GrpoError } from './errors.js';

/**
 * How per-token losses become one number, under both libraries' names:
 *
 * | name | formula | library |
 * |---|---|---|
 * | `grpo`, `seq-mean-token-mean` | mean over sequences of each sequence's token mean | TRL, verl; DeepSeekMath GRPO |
 * | `bnpo`, `token-mean` | sum over all tokens / number of tokens | TRL, verl (default) |
 * | `dapo` | sum over all tokens / tokens in the global batch | TRL (default) |
 * | `dr_grpo` | sum over all tokens / (sequences × max completion length) | TRL; Dr. GRPO |
 * | `seq-mean-token-sum` | mean over sequences of each sequence's token sum | verl |
 * | `seq-mean-token-sum-norm` | sum over all tokens / max completion length | verl; Dr. GRPO |
 */
export type LossType =
  | 'grpo'
  | 'bnpo'
  | 'dr_grpo'
  | 'dapo'
  | 'token-mean'
  | 'seq-mean-token-mean'
  | 'seq-mean-token-sum'
  | 'seq-mean-token-sum-norm';

export const LOSS_TYPES: readonly LossType[] = [
  'grpo',
  'bnpo',
  'dr_grpo',
  'dapo',
  'token-mean',
  'seq-mean-token-mean',
  'seq-mean-token-sum',
  'seq-mean-token-sum-norm',
];

/** What the aggregation needs beyond the mask. */
export interface AggregationOptions {
  /** Padded completion length for `dr_grpo` and `seq-mean-token-sum-norm`; default the longest row. */
  maxCompletionLength?: number;
  /** Tokens in the global batch for `dapo` (across devices and accumulation steps); default this batch's. */
  numItemsInBatch?: number;
}

/**
 * Every aggregation is linear in the per-token losses: `loss = Σ rowWeights[i] · mask[i][t] · ℓ[i][t]`.
 * Returns the weight of each row, which is also the factor between a token's loss gradient and the
 * total loss gradient. Sequences without unmasked tokens contribute nothing (TRL clamps their token
 * count to 1).
 */
export function aggregationWeights(
  masks: readonly ArrayLike<number>[],
  lossType: LossType,
  options: AggregationOptions = {},
): Float64Array {
  const rows = masks.length;
  const counts = masks.map((m) => {
    let n = 0;
    for (let t = 0; t < m.length; t++) n += m[t];
    return n;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const longest = masks.reduce((a, m) => Math.max(a, m.length), 0);
  const maxLen = options.maxCompletionLength ?? longest;
  if (!(maxLen > 0) && (lossType === 'dr_grpo' || lossType === 'seq-mean-token-sum-norm')) {
    throw new GrpoError(`maxCompletionLength must be positive for ${lossType}, got ${maxLen}`);
  }
  let perRow: (i: number) => number;
  switch (lossType) {
    case 'grpo':
    case 'seq-mean-token-mean':
      perRow = (i) => 1 / (rows * Math.max(counts[i], 1));
      break;
    case 'bnpo':
    case 'token-mean':
      perRow = () => 1 / Math.max(total, 1);
      break;
    case 'dapo': {
      const n = options.numItemsInBatch ?? Math.max(total, 1);
      if (!(n > 0)) throw new GrpoError(`numItemsInBatch must be positive, got ${n}`);
      perRow = () => 1 / n;
      break;
    }
    case 'dr_grpo':
      perRow = () => 1 / (rows * maxLen);
      break;
    case 'seq-mean-token-sum':
      perRow = () => 1 / rows;
      break;
    case 'seq-mean-token-sum-norm':
      perRow = () => 1 / maxLen;
      break;
    default:
      throw new GrpoError(`unknown lossType ${String(lossType)}; expected one of ${LOSS_TYPES.join(', ')}`);
  }
  return Float64Array.from(masks, (_, i) => perRow(i));
}
