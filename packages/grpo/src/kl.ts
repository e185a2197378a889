/** Bounds verl applies: the log-ratio before exponentiating, and the estimate itself. */
export const KL_LOG_RATIO_CLAMP = 20;
export const KL_VALUE_CLAMP = 10;

/**
 * The k3 estimator of KL(π‖π_ref) for one token, `exp(ref - logp) - (ref - logp) - 1`, with the log-ratio
 * clamped to ±20 and the estimate to ±10 as verl's `low_var_kl` does, and its derivative with respect to
 * `logp` (zero where a clamp is active, as autograd gives). Writes `[value, derivative]` into `out`.
 */
export function k3(logp: number, refLogp: number, out: [number, number]): [number, number] {
  const delta = refLogp - logp;
  const clamped = delta > KL_LOG_RATIO_CLAMP || delta < -KL_LOG_RATIO_CLAMP;
  const d = clamped ? Math.sign(delta) * KL_LOG_RATIO_CLAMP : delta;
  const e = Math.exp(d);
  let value = e - d - 1;
  let grad = clamped ? 0 : 1 - e;
  if (value > KL_VALUE_CLAMP) {
    value = KL_VALUE_CLAMP;
    grad = 0;
  }
  out[0] = value;
  out[1] = grad;
  return out;
}
