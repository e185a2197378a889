/** Tag names of the reasoning-then-answer format. */
export interface FormatTemplate {
  thinkOpen: string;
  thinkClose: string;
  answerOpen: string;
  answerClose: string;
}

/** `<think>…</think>` then `<answer>…</answer>`, as RoboAlign (through EasyR1's R1-V reward) used. */
export const DEFAULT_TEMPLATE: Readonly<FormatTemplate> = {
  thinkOpen: '<think>',
  thinkClose: '</think>',
  answerOpen: '<answer>',
  answerClose: '</answer>',
};

// Python's `\s` on str (what `re.fullmatch` in EasyR1 uses): JS `\s` differs (it has U+FEFF and lacks U+001C-U+001F).
const PY_SPACE =
  '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patterns = new Map<string, RegExp>();

function formatPattern(t: FormatTemplate): RegExp {
  const key = JSON.stringify(t);
  let re = patterns.get(key);
  if (re === undefined) {
    // re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", s, re.DOTALL)
    re = new RegExp(
      `^${escapeRegExp(t.thinkOpen)}[^]*?${escapeRegExp(t.thinkClose)}${PY_SPACE}*${escapeRegExp(t.answerOpen)}[^]*?${escapeRegExp(t.answerClose)}$`,
      'u',
    );
    patterns.set(key, re);
  }
  return re;
}

/**
 * 1 when the completion is exactly a reasoning block followed (after optional white space) by an answer
 * block and nothing else, else 0. Reproduces the R1-V / EasyR1 rule RoboAlign used:
 * `re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", completion, re.DOTALL)`, so the answer may
 * itself contain the closing tag as long as the completion ends with it.
 *
 * @example
 * formatReward('<think>reach left</think>\n<answer><ACTION_START>…<ACTION_END></answer>'); // 1
 * formatReward('<answer>no reasoning</answer>'); // 0
 */
export function formatReward(completion: string, template: FormatTemplate = DEFAULT_TEMPLATE): number {
  return formatPattern(template).test(completion) ? 1 : 0;
}
