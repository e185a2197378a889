import { checkIds, RewardError } from './errors.js';

/**
 * Decodes FAST ids to a flat row-major action chunk. `ok: false` (or null) marks a sequence that did not
 * decode. With `@roboalign/fast-tokenizer`:
 * `(ids) => { const r = fast.decode([ids], { horizon, dim }); return { actions: r.actions[0], ok: r.ok[0] }; }`
 */
export type ActionDecoder = (ids: ArrayLike<number>) => { actions: ArrayLike<number>; ok: boolean } | null;

/** Options of {@link actionDistanceReward}. */
export interface ActionDistanceOptions {
  decode: ActionDecoder;
  /** `'l1'`: mean absolute difference; `'l2'`: root mean square difference. Default `'l1'`. */
  metric?: 'l1' | 'l2';
  /** Distance at which the reward falls to 1/e; default 0.1 (in the decoder's units, e.g. normalized actions). */
  temperature?: number;
}

/**
 * Distance between the decoded generated and target chunks, or null when the generation does not decode
 * (or decodes to a different size). Throws when the target does not decode: that is a data error.
 */
export function actionDistance(
  generated: ArrayLike<number>,
  target: ArrayLike<number>,
  options: Pick<ActionDistanceOptions, 'decode' | 'metric'>,
): number | null {
  checkIds(generated, 'generated ids');
  checkIds(target, 'target ids');
  const want = options.decode(target);
  if (want === null || !want.ok) throw new RewardError('target ids do not decode to an action chunk');
  const got = options.decode(generated);
  if (got === null || !got.ok || got.actions.length !== want.actions.length) return null;
  const n = want.actions.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = got.actions[i] - want.actions[i];
    sum += options.metric === 'l2' ? d * d : Math.abs(d);
  }
  return options.metric === 'l2' ? Math.sqrt(sum / n) : sum / n;
}

/**
 * Scores generated FAST ids by how close their decoded actions are to the target's:
 * `exp(-distance / temperature)`, so a near-miss token earns partial credit where prefix similarity gives
 * none. A generation that does not decode scores 0.
 *
 * @example
 * actionDistanceReward(generatedIds, targetIds, { decode, metric: 'l2', temperature: 0.05 });
 */
export function actionDistanceReward(
  generated: ArrayLike<number>,
  target: ArrayLike<number>,
  options: ActionDistanceOptions,
): number {
  const temperature = options.temperature ?? 0.1;
  if (!(temperature > 0)) throw new RewardError(`temperature must be positive, got ${temperature}`);
  const distance = actionDistance(generated, target, options);
  return distance === null ? 0 : Math.exp(-distance / temperature);
}
