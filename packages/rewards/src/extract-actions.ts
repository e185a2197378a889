import { textBetween } from './answer-text.js';
import { checkIds, RewardError } from './errors.js';
import { DEFAULT_TEMPLATE, type FormatTemplate } from './format-reward.js';

/** Marker token ids around the action ids in a completion. */
export interface IdMarkers {
  start: number;
  end: number;
}

/**
 * The ids between the first `start` marker and the next `end` marker, or null when either is missing.
 *
 * @example
 * extractActionIds([7, 100, 5, 9, 101, 8], { start: 100, end: 101 }); // Int32Array [5, 9]
 */
export function extractActionIds(completionIds: ArrayLike<number>, markers: IdMarkers): Int32Array | null {
  checkIds(completionIds, 'completion ids');
  let start = -1;
  for (let i = 0; i < completionIds.length; i++) {
    if (completionIds[i] === markers.start) {
      start = i;
      break;
    }
  }
  if (start < 0) return null;
  for (let i = start + 1; i < completionIds.length; i++) {
    if (completionIds[i] === markers.end)
      return Int32Array.from(Array.prototype.slice.call(completionIds, start + 1, i));
  }
  return null;
}

/** How to find action ids in completion text. */
export interface TextExtractionOptions {
  /** Tags of the answer block; default `<answer>` … `</answer>`. */
  template?: FormatTemplate;
  /** Look for the markers only inside the first answer block (default true), as EasyR1's accuracy reward does. */
  requireAnswer?: boolean;
  /** Default `<ACTION_START>`. */
  startMarker?: string;
  /** Default `<ACTION_END>`. */
  endMarker?: string;
  /**
   * One action token, with the id as its first capture group; default `<FAST_(\d+)>` (the added tokens of
   * `@roboalign/fast-tokenizer`'s `addedTokenActionMapping`). Without such tokens, the text between the
   * markers may instead be plain integers separated by white space or commas.
   */
  tokenPattern?: RegExp;
}

const DEFAULT_TOKEN = /<FAST_(\d+)>/;
const INTEGERS = /^\s*\d+(?:\s*[,\s]\s*\d+)*\s*$/;

/**
 * Parses the action ids out of completion text: inside the first answer block, between the markers,
 * written as action tokens (`<FAST_12><FAST_7>`) or as integers (`12 7` or `12, 7`). Returns null when
 * the answer or a marker is missing or the text between the markers is neither form.
 *
 * @example
 * extractActionIdsFromText('<think>…</think><answer><ACTION_START><FAST_12><FAST_7><ACTION_END></answer>');
 * // Int32Array [12, 7]
 */
export function extractActionIdsFromText(
  completion: string,
  options: TextExtractionOptions = {},
): Int32Array | null {
  const startMarker = options.startMarker ?? '<ACTION_START>';
  const endMarker = options.endMarker ?? '<ACTION_END>';
  if (startMarker === '' || endMarker === '')
    throw new RewardError('action markers must be non-empty strings');
  const template = options.template ?? DEFAULT_TEMPLATE;
  let scope: string | null = completion;
  if (options.requireAnswer ?? true)
    scope = textBetween(completion, template.answerOpen, template.answerClose);
  if (scope === null) return null;
  const inner = textBetween(scope, startMarker, endMarker);
  if (inner === null) return null;
  const source = (options.tokenPattern ?? DEFAULT_TOKEN).source;
  const tokens = new RegExp(source, 'g');
  const ids = Array.from(inner.matchAll(tokens), (m) => Number(m[1]));
  if (ids.length > 0) {
    const leftover = inner.replace(tokens, '');
    return leftover.trim() === '' && ids.every(Number.isSafeInteger) ? Int32Array.from(ids) : null;
  }
  if (inner.trim() === '') return new Int32Array(0);
  if (!INTEGERS.test(inner)) return null;
  return Int32Array.from(inner.trim().split(/[\s,]+/), Number);
}
