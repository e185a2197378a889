import type { FastTokenizer } from '@roboalign/fast-tokenizer';
import { formatReward, prefixSimilarity } from '@roboalign/rewards';
import { type ContentItem, type Conversation, readConversations, type Vlm } from '@roboalign/vlm';
import { generatedFastIds, readRlPrompts } from './language-models.js';

/** The analysis-table figures of one language model. */
export interface LmScores {
  /** Share of reasoning-prompted answers in the `<think>…</think><answer>…</answer>` format. */
  formatRate: number;
  /** Mean prefix similarity of the generated FAST ids to the expert's, without and with the reasoning prompt. */
  prefixSimilarity: { direct: number; reasoning: number };
  /** Mean absolute error of the decoded action chunk against the decoded target (normalized units); NaN when none decoded. */
  actionError: number;
  /** Share of decoded answers (direct prompt). */
  decodeRate: number;
  /** Exact-answer accuracy on held-out general, robot and reasoning questions. */
  vqaAccuracy: { general: number; robot: number; reasoning: number; mean: number };
}

const textOf = (content: string | readonly ContentItem[]) =>
  typeof content === 'string' ? content : content.map((c) => (c.type === 'text' ? c.text : '')).join('');

/** The answer part of a reply: inside `<answer>…</answer>` when present, trimmed and lower-cased. */
export function answerText(reply: string): string {
  const m = reply.match(/<answer>([\s\S]*?)<\/answer>/);
  return (m ? m[1] : reply).trim().toLowerCase();
}

function split(row: Conversation): { prompt: Conversation; reference: string } {
  const last = row.messages.length - 1;
  if (row.messages[last].role !== 'assistant') throw new Error('a held-out row must end with the answer');
  return { prompt: { messages: row.messages.slice(0, last) }, reference: textOf(row.messages[last].content) };
}

async function exactAccuracy(model: Vlm, path: string, count: number, maxNewTokens: number): Promise<number> {
  const rows = (await readConversations(path)).slice(0, count).map((r) => split(r.conversation));
  if (rows.length === 0) return Number.NaN;
  const out = await model.generate(
    rows.map((r) => r.prompt),
    { temperature: 0, maxNewTokens },
  );
  return rows.filter((r, i) => answerText(out[i][0].text) === answerText(r.reference)).length / rows.length;
}

/**
 * Greedy answers of one model on held-out prompts: FAST prompts as recorded (direct) and with the RL
 * prompt that asks for reasoning first, then the general, robot and reasoning questions.
 */
export async function evaluateLanguageModel(
  model: Vlm,
  fast: FastTokenizer,
  heldOut: { general: string; robot: string; reasoning: string; fast: string; rl: string },
  options: { prompts: number; maxNewTokens: number; horizon: number; actionDim: number },
): Promise<LmScores> {
  const { tokenizer } = model;
  const score = async (path: string) => {
    // The FAST rows have the RL rows' layout: a prompt and its target ids.
    const rows = (await readRlPrompts(path))
      .slice(0, options.prompts)
      .map((r) => ({ prompt: r.prompt, target: r.targetFastIds }));
    const out = await model.generate(
      rows.map((r) => r.prompt),
      { temperature: 0, maxNewTokens: options.maxNewTokens },
    );
    return rows.map((r, i) => {
      const g = out[i][0];
      const ids = generatedFastIds(tokenizer, g.ids);
      return { text: g.text, ids, target: r.target };
    });
  };
  const direct = await score(heldOut.fast);
  const reasoning = await score(heldOut.rl);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
  const errors: number[] = [];
  for (const r of direct) {
    if (r.ids === null) continue;
    const shape = { horizon: options.horizon, dim: options.actionDim };
    const decoded = fast.decode([r.ids], shape);
    if (!decoded.ok[0]) continue;
    const a = decoded.actions[0];
    const target = fast.decode([r.target], shape);
    // The target came from this tokenizer's own encoding: failing to decode it is a bug, not a miss.
    if (!target.ok[0])
      throw new Error(`lm-eval: a held-out target chunk does not decode (FAST ids ${r.target.join(',')})`);
    const b = target.actions[0];
    let s = 0;
    for (let i = 0; i < b.length; i++) s += Math.abs(a[i] - b[i]);
    errors.push(s / b.length);
  }
  const general = await exactAccuracy(model, heldOut.general, options.prompts, options.maxNewTokens);
  const robot = await exactAccuracy(model, heldOut.robot, options.prompts, options.maxNewTokens);
  const reasoningQa = await exactAccuracy(model, heldOut.reasoning, options.prompts, options.maxNewTokens);
  return {
    formatRate: mean(reasoning.map((r) => formatReward(r.text))),
    prefixSimilarity: {
      direct: mean(direct.map((r) => (r.ids ? prefixSimilarity(r.ids, r.target) : 0))),
      reasoning: mean(reasoning.map((r) => (r.ids ? prefixSimilarity(r.ids, r.target) : 0))),
    },
    actionError: mean(errors),
    decodeRate: errors.length / Math.max(1, direct.length),
    vqaAccuracy: { general, robot, reasoning: reasoningQa, mean: mean([general, robot, reasoningQa]) },
  };
}
