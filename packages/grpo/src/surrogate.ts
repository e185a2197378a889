/**
 * The per-token pieces of the clipped policy-gradient objective, as pure functions. Each writes
 * `[value, derivative with respect to the new log-prob]` into a caller's tuple, so the loop over tokens
 * allocates nothing. Where a clip or clamp binds the derivative is 0, as autograd gives for
 * `min`/`max`/`clamp` (at ties both branches have the same derivative).
 */

/** `[value, ∂value/∂logp]` of one token's term. */
export type TokenTerm = [value: number, derivative: number];

/**
 * The importance ratio `exp(logp - oldLogp)` with the log-ratio clamped to `±clamp` before exponentiating,
 * as verl does; its derivative is the ratio itself, or 0 where the clamp binds.
 */
export function importanceRatio(logp: number, oldLogp: number, clamp: number, out: TokenTerm): TokenTerm {
  const logRatio = logp - oldLogp;
  if (logRatio > clamp) {
    out[0] = Math.exp(clamp);
    out[1] = 0;
  } else if (logRatio < -clamp) {
    out[0] = Math.exp(-clamp);
    out[1] = 0;
  } else {
    const ratio = Math.exp(logRatio);
    out[0] = ratio;
    out[1] = ratio;
  }
  return out;
}

/**
 * The PPO clipped surrogate loss `-min(A·r, A·clip(r, low, high)) = max(-A·r, -A·clip(r))` for a ratio `r`
 * with derivative `dRatio`; the clipped branch has no gradient.
 *
 * @param low - `1 - epsLow`.
 * @param high - `1 + epsHigh`.
 */
export function clippedSurrogate(
  ratio: number,
  dRatio: number,
  advantage: number,
  low: number,
  high: number,
  out: TokenTerm,
): TokenTerm {
  const unclipped = -advantage * ratio;
  const clipped = -advantage * Math.min(Math.max(ratio, low), high);
  if (unclipped >= clipped) {
    out[0] = unclipped;
    out[1] = -advantage * dRatio;
  } else {
    out[0] = clipped;
    out[1] = 0;
  }
  return out;
}

/** Whether the dual clip binds: a negative advantage and a surrogate loss above `-A·c`. */
export function dualClipBinds(loss: number, advantage: number, c: number): boolean {
  return advantage < 0 && -advantage * c < loss;
}

/**
 * The dual clip (verl `clip_ratio_c`, EasyR1 `clip_ratio_dual`): for a negative advantage the surrogate
 * loss is at most `-A·c`, with no gradient where that bound binds.
 */
export function dualClip(
  loss: number,
  dLoss: number,
  advantage: number,
  c: number,
  out: TokenTerm,
): TokenTerm {
  if (dualClipBinds(loss, advantage, c)) {
    out[0] = -advantage * c;
    out[1] = 0;
  } else {
    out[0] = loss;
    out[1] = dLoss;
  }
  return out;
}
