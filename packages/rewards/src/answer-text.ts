import { DEFAULT_TEMPLATE, type FormatTemplate } from './format-reward.js';

/** The text between the first `open` and the next `close` after it, or null when either is missing. */
export function textBetween(text: string, open: string, close: string): string | null {
  const a = text.indexOf(open);
  if (a < 0) return null;
  const b = text.indexOf(close, a + open.length);
  return b < 0 ? null : text.slice(a + open.length, b);
}

/**
 * What a completion answers, for rewards whose answer is plain text: the inside of its first answer block
 * (from the first opening tag to the next closing tag) when it has one, else the whole completion. A bare
 * reply is still scored; the format reward is what penalizes the missing tags.
 *
 * @example
 * answerText('<think>the block is grasped</think><answer>lift the red block</answer>'); // 'lift the red block'
 * answerText('lift the red block'); // 'lift the red block'
 */
export function answerText(completion: string, template: FormatTemplate = DEFAULT_TEMPLATE): string {
  return textBetween(completion, template.answerOpen, template.answerClose) ?? completion;
}
