// Deliberately naive transcriptions of the two libraries' formulas, written as the Python reads, over
// padded [B, L] arrays. They are the cross-check for policyLoss, not an implementation to use.

type Rows = number[][];

const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** TRL `GRPOTrainer._compute_loss` (token-level importance sampling). */
export function trlLoss(
  logps: Rows,
  old: Rows,
  ref: Rows | undefined,
  adv: number[],
  mask: Rows,
  o: {
    lossType: 'grpo' | 'bnpo' | 'dr_grpo' | 'dapo';
    epsLow: number;
    epsHigh: number;
    beta: number;
    maxLen: number;
  },
): number {
  const perToken = logps.map((row, i) =>
    row.map((lp, t) => {
      const coef1 = Math.exp(lp - old[i][t]);
      const coef2 = clamp(coef1, 1 - o.epsLow, 1 + o.epsHigh);
      let loss = -Math.min(coef1 * adv[i], coef2 * adv[i]);
      if (o.beta !== 0 && ref) {
        const perTokenKl = Math.exp(ref[i][t] - lp) - (ref[i][t] - lp) - 1;
        loss += o.beta * perTokenKl;
      }
      return loss;
    }),
  );
  const masked = perToken.map((row, i) => row.map((v, t) => v * mask[i][t]));
  const tokens = sum(mask.map(sum));
  switch (o.lossType) {
    case 'grpo':
      return sum(masked.map((row, i) => sum(row) / Math.max(sum(mask[i]), 1))) / masked.length;
    case 'bnpo':
      return sum(masked.map(sum)) / Math.max(tokens, 1);
    case 'dr_grpo':
      return sum(masked.map(sum)) / (masked.length * o.maxLen);
    case 'dapo':
      return sum(masked.map(sum)) / tokens;
  }
}

/** verl `compute_policy_loss` (vanilla, dual clip) + `kl_penalty('low_var_kl')` + `agg_loss`. */
export function verlLoss(
  logps: Rows,
  old: Rows,
  ref: Rows | undefined,
  adv: number[],
  mask: Rows,
  o: {
    mode: 'token-mean' | 'seq-mean-token-mean' | 'seq-mean-token-sum' | 'seq-mean-token-sum-norm';
    clipLow: number;
    clipHigh: number;
    clipRatioC: number;
    klCoef: number;
  },
): number {
  const pg = logps.map((row, i) =>
    row.map((lp, t) => {
      const negativeApproxKl = clamp(lp - old[i][t], -20, 20);
      const ratio = Math.exp(negativeApproxKl);
      const pgLosses1 = -adv[i] * ratio;
      const pgLosses2 = -adv[i] * clamp(ratio, 1 - o.clipLow, 1 + o.clipHigh);
      const clipPgLosses1 = Math.max(pgLosses1, pgLosses2);
      const pgLosses3 = -adv[i] * o.clipRatioC;
      const clipPgLosses2 = Math.min(pgLosses3, clipPgLosses1);
      return adv[i] < 0 ? clipPgLosses2 : clipPgLosses1;
    }),
  );
  const kld = logps.map((row, i) =>
    row.map((lp, t) => {
      if (!ref) return 0;
      const kl = clamp(ref[i][t] - lp, -20, 20);
      return clamp(Math.exp(kl) - kl - 1, -10, 10);
    }),
  );
  const agg = (mat: Rows) => {
    const seqSums = mat.map((row, i) => sum(row.map((v, t) => v * mask[i][t])));
    switch (o.mode) {
      case 'token-mean':
        return sum(seqSums) / sum(mask.map(sum));
      case 'seq-mean-token-sum':
        return sum(seqSums) / mat.length;
      case 'seq-mean-token-mean':
        return sum(seqSums.map((s, i) => s / sum(mask[i]))) / mat.length;
      case 'seq-mean-token-sum-norm':
        return sum(seqSums) / mask[0].length;
    }
  };
  return agg(pg) + o.klCoef * agg(kld);
}
