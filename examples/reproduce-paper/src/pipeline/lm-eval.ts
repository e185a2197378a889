import type { FastTokenizer } from '@roboalign/fast-tokenizer';
import { formatReward } from '@roboalign/rewards';
import {
  answerRows,
  type ContentItem,
  type Conversation,
  type EncodedExample,
  encodePrompt,
  loadSftDataset,
  type RgbImage,
  readConversations,
  type Vlm,
} from '@roboalign/vlm';
import {
  type AlignmentTarget,
  generatedFastIds,
  type RlPrompt,
  readRlPrompts,
  readTargetPrompts,
  targetReward,
} from './alignment-targets.js';
import {
  type ChunkShape,
  constantBaseline,
  type FastAnswerScores,
  meanChunk,
  scoreFastAnswers,
} from './fast-metrics.js';
import { mean } from './mean.js';

/** The analysis-table figures of one language model. */
export interface LmScores {
  /** Share of reasoning-prompted answers in the `<think>…</think><answer>…</answer>` format. */
  formatRate: number;
  /** Mean prefix similarity of the generated FAST ids to the expert's, without and with the reasoning prompt. */
  prefixSimilarity: { direct: number; reasoning: number };
  /** The best constant training answer's prefix similarity on the same held-out prompts (see `constantBaseline`). */
  constantBaseline: number;
  /** Decoded action error of the direct answers, beside the training mean chunk's on the same prompts (normalized units). */
  actionMae: number;
  meanChunkMae: number;
  /** Share of direct answers that decode to a whole chunk (no padding or cutting). */
  decodeRate: number;
  /** Share of distinct direct answers over the held-out prompts. */
  distinctAnswers: number;
  /**
   * The control of issue #21: the direct prompts again with both camera images uniform grey, so what the
   * answers owe to the images shows beside what they owe to the text and state (absent in older results).
   */
  greyImages?: GreyImageScores;
  /** Per direct prompt, in order: prefix similarity and action error (null without action ids), for paired tests. */
  perPrompt: FastAnswerScores['perPrompt'];
  /** Teacher-forced NLL (nats) of the expert's FAST tokens: the first, the first five, all. */
  answerNll: FastAnswerNll;
  /** Held-out general and robot VQA answer NLL with real and with grey images (absent in older results). */
  imageUse?: { general: ImageUse; robot: ImageUse };
  /** Exact-answer accuracy on held-out general, robot and reasoning questions. */
  vqaAccuracy: { general: number; robot: number; reasoning: number; mean: number };
  /** The alternative alignment targets' held-out RL prompts, in runs that have them. */
  targets?: Partial<Record<AlternativeTarget, TargetScores>>;
}

/** Direct-prompt figures with every image replaced by uniform grey ({@link blankImages}). */
export interface GreyImageScores {
  prefixSimilarity: number;
  actionMae: number;
  distinctAnswers: number;
}

/** The alignment targets other than FAST. */
export type AlternativeTarget = Exclude<AlignmentTarget, 'fast'>;

/** Greedy answers to one target's held-out RL prompts, scored by that target's reward parts. */
export interface TargetScores {
  /** Share of answers in the `<think>…</think><answer>…</answer>` format. */
  formatRate: number;
  /** Mean accuracy part of the target's reward (phrase match, or 1 − clipped pixel distance). */
  accuracy: number;
  /** Per prompt, in order: the accuracy part. */
  perPrompt: number[];
}

/** One greedy answer to an alternative target's held-out prompt, as `lm-samples/<variant>.jsonl` keeps it. */
export interface TargetSample {
  prompt: AlternativeTarget;
  question: string;
  answer: string;
  target: string | [number, number][];
  accuracy: number;
}

/**
 * Greedy answers of a model to the first `prompts` held-out RL prompts of an alternative target, scored with
 * that target's reward parts (`targetReward`).
 */
export async function evaluateTarget(
  model: Vlm,
  path: string,
  target: AlternativeTarget,
  options: { prompts: number; maxNewTokens: number },
): Promise<TargetScores & { samples: TargetSample[] }> {
  const rows = (await readTargetPrompts(path, target)).slice(0, options.prompts);
  const out = await model.generate(
    rows.map((r) => r.prompt),
    { temperature: 0, maxNewTokens: options.maxNewTokens },
  );
  const parts = out.map(([g], i) => targetReward(target, model.tokenizer, g, rows[i]));
  const perPrompt = parts.map((p) => p.accuracy);
  return {
    formatRate: mean(parts.map((p) => p.format)),
    accuracy: mean(perPrompt),
    perPrompt,
    samples: rows.map((row, i) => ({
      prompt: target,
      question: row.prompt.messages.map((m) => textOf(m.content)).join('\n'),
      answer: out[i][0].text,
      target: (target === 'high-level' ? row.targetText : row.targetTrajectory) as TargetSample['target'],
      accuracy: perPrompt[i],
    })),
  };
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

/** Teacher-forced NLL of the FAST tokens of the expert's answers, by position among them. */
export interface FastAnswerNll {
  first: number;
  firstFive: number;
  all: number;
}

/** Replaces every image of a prompt with a uniform grey one: the control that reads only text. */
export function blankImages(prompt: Conversation, size: number): Conversation {
  const grey: RgbImage = { width: size, height: size, data: new Uint8Array(size * size * 3).fill(128) };
  return {
    messages: prompt.messages.map((m) =>
      typeof m.content === 'string'
        ? m
        : {
            ...m,
            content: m.content.map((c) => (c.type === 'image' ? { type: 'image' as const, image: grey } : c)),
          },
    ),
  };
}

/** Greedy FAST answers of a model to FAST prompts (null where it wrote no action ids). */
export async function greedyFastAnswers(
  model: Vlm,
  prompts: readonly Conversation[],
  maxNewTokens: number,
): Promise<{ ids: Int32Array | null; text: string }[]> {
  const out = await model.generate(prompts, { temperature: 0, maxNewTokens });
  return out.map(([g]) => ({ ids: generatedFastIds(model.tokenizer, g.ids), text: g.text }));
}

/**
 * Greedy FAST answers to prompts whose answer starts with given text (e.g. the true `<think>…</think><answer>`),
 * the model continuing after it: what the action tokens get from a right reasoning. The given text is
 * causal, as the answer is in training.
 */
export async function greedyFastAnswersAfter(
  model: Vlm,
  prompts: readonly Conversation[],
  answerStarts: readonly string[],
  maxNewTokens: number,
): Promise<{ ids: Int32Array | null; text: string }[]> {
  if (answerStarts.length !== prompts.length)
    throw new Error(
      `greedyFastAnswersAfter: ${answerStarts.length} answer starts for ${prompts.length} prompts`,
    );
  const encoded = await Promise.all(
    prompts.map(async (prompt, i): Promise<EncodedExample> => {
      const e = await encodePrompt(model.tokenizer, model.config, prompt);
      const ids = Int32Array.from([...e.ids, ...model.tokenizer.encode(answerStarts[i])]);
      return { ...e, ids, targets: new Uint8Array(ids.length) };
    }),
  );
  const out = await model.generate(encoded, { temperature: 0, maxNewTokens });
  return out.map(([g]) => ({ ids: generatedFastIds(model.tokenizer, g.ids), text: g.text }));
}

/** Teacher-forced NLL of the first `count` FAST rows' action tokens, in batches of 16. */
export async function fastAnswerNll(model: Vlm, path: string, count: number): Promise<FastAnswerNll> {
  const { examples } = await loadSftDataset(model, path);
  const byRank: number[][] = [];
  const rows = answerRows(examples.slice(0, count));
  for (let b = 0; b < rows.length; b += 16) {
    const batch = rows.slice(b, b + 16);
    const { tokenLogprobs } = await model.score(batch);
    let k = 0;
    for (const row of batch) {
      let rank = 0;
      for (const position of row.targets) {
        const lp = tokenLogprobs[k++];
        if (!model.tokenizer.actions.isFastId(row.ids[position])) continue;
        if (byRank.length === rank) byRank.push([]);
        byRank[rank++].push(-lp);
      }
    }
  }
  const flat = (ranks: number[][]) => ranks.flat();
  return {
    first: mean(byRank[0] ?? []),
    firstFive: mean(flat(byRank.slice(0, 5))),
    all: mean(flat(byRank)),
  };
}

/** Mean answer NLL (nats per token) of held-out questions with their images and with uniform grey ones. */
export interface ImageUse {
  real: number;
  grey: number;
}

/** `example` with every image uniform grey (128), for the image-use control. */
export function withGreyImages(example: EncodedExample): EncodedExample {
  return {
    ...example,
    images: example.images.map((im) => ({ ...im, data: new Uint8Array(im.data.length).fill(128) })),
  };
}

/**
 * How much a model's answers use its images: the teacher-forced answer NLL of the first `count` rows of a
 * held-out VQA file, with the real images and with every image uniform grey. Equal values mean the answers
 * owe nothing to the images (issue #20: every backbone trained here gave equal values).
 */
export async function vqaImageUse(model: Vlm, path: string, count: number): Promise<ImageUse> {
  const { examples } = await loadSftDataset(model, path);
  const real = examples.slice(0, count);
  const grey = real.map(withGreyImages);
  const nll = async (set: typeof real) => {
    let sum = 0;
    let tokens = 0;
    for (let b = 0; b < set.length; b += 16) {
      const { tokenLogprobs } = await model.score(answerRows(set.slice(b, b + 16)));
      for (const lp of tokenLogprobs) sum -= lp;
      tokens += tokenLogprobs.length;
    }
    return sum / tokens;
  };
  return { real: await nll(real), grey: await nll(grey) };
}

/** What the FAST scores compare against: the training targets (for the best constant answer) and their mean chunk. */
export interface FastReference {
  trainTargets: readonly (readonly number[])[];
  meanChunk: Float64Array;
}

/** Reads the FAST training targets and derives the mean chunk. */
export async function fastReference(
  fast: FastTokenizer,
  trainFast: string,
  shape: ChunkShape,
): Promise<FastReference> {
  const trainTargets = (await readRlPrompts(trainFast)).map((r) => r.targetFastIds);
  return { trainTargets, meanChunk: meanChunk(fast, trainTargets, shape) };
}

/** What {@link answerFastPrompts} reads: how many prompts, the generation budget, the chunk shape. */
export interface FastPromptOptions {
  prompts: number;
  maxNewTokens: number;
  horizon: number;
  actionDim: number;
}

/**
 * Greedy answers to the first `options.prompts` rows of one FAST prompt file (their prompts as recorded, or
 * as `change` makes them) and their scores against the rows' targets.
 */
export async function answerFastPrompts(
  model: Vlm,
  fast: FastTokenizer,
  path: string,
  reference: FastReference,
  options: FastPromptOptions,
  change: (prompt: Conversation) => Conversation = (prompt) => prompt,
): Promise<{
  rows: RlPrompt[];
  answers: { ids: Int32Array | null; text: string }[];
  scores: FastAnswerScores;
}> {
  const rows = (await readRlPrompts(path)).slice(0, options.prompts);
  const answers = await greedyFastAnswers(
    model,
    rows.map((r) => change(r.prompt)),
    options.maxNewTokens,
  );
  const scores = scoreFastAnswers(
    answers.map((a) => a.ids),
    rows.map((r) => r.targetFastIds),
    fast,
    { horizon: options.horizon, dim: options.actionDim },
    reference.meanChunk,
  );
  return { rows, answers, scores };
}

/**
 * Greedy answers of one model on held-out prompts: FAST prompts as recorded (direct), with both images grey,
 * and with the RL prompt that asks for reasoning first, then the general, robot and reasoning questions. The
 * teacher-forced figures ({@link fastAnswerNll}) are apart: they need the model's score graph, not only
 * generation.
 */
export async function evaluateLanguageModel(
  model: Vlm,
  fast: FastTokenizer,
  heldOut: { general: string; robot: string; reasoning: string; fast: string; rl: string },
  reference: FastReference,
  options: FastPromptOptions & { imageSize: number },
): Promise<Omit<LmScores, 'answerNll'> & { samples: LmSample[] }> {
  const answer = (path: string, change?: (prompt: Conversation) => Conversation) =>
    answerFastPrompts(model, fast, path, reference, options, change);
  const direct = await answer(heldOut.fast);
  const reasoning = await answer(heldOut.rl);
  const grey = await answer(heldOut.fast, (p) => blankImages(p, options.imageSize));
  const scores = direct.scores;
  const general = await exactAccuracy(model, heldOut.general, options.prompts, options.maxNewTokens);
  const robot = await exactAccuracy(model, heldOut.robot, options.prompts, options.maxNewTokens);
  const reasoningQa = await exactAccuracy(model, heldOut.reasoning, options.prompts, options.maxNewTokens);
  return {
    formatRate: mean(reasoning.answers.map((r) => formatReward(r.text))),
    prefixSimilarity: { direct: scores.prefixSimilarity, reasoning: reasoning.scores.prefixSimilarity },
    constantBaseline: constantBaseline(
      reference.trainTargets,
      direct.rows.map((r) => r.targetFastIds),
    ).heldOut,
    actionMae: scores.actionMae,
    meanChunkMae: scores.meanChunkMae,
    decodeRate: scores.decodeRate,
    distinctAnswers: scores.distinctAnswers,
    greyImages: {
      prefixSimilarity: grey.scores.prefixSimilarity,
      actionMae: grey.scores.actionMae,
      distinctAnswers: grey.scores.distinctAnswers,
    },
    perPrompt: scores.perPrompt,
    vqaAccuracy: { general, robot, reasoning: reasoningQa, mean: mean([general, robot, reasoningQa]) },
    samples: [
      ...direct.answers.map((a, i) => sample('direct', direct.rows[i], a)),
      ...reasoning.answers.map((a, i) => sample('reasoning', reasoning.rows[i], a)),
    ],
  };
}

/** One greedy answer to a held-out FAST prompt, as `lm-samples/<variant>.jsonl` keeps it. */
export interface LmSample {
  prompt: 'direct' | 'reasoning';
  /** The prompt's text (its images are the held-out row's). */
  question: string;
  answer: string;
  answerFastIds: number[] | null;
  targetFastIds: number[];
}

function sample(
  prompt: LmSample['prompt'],
  row: RlPrompt,
  answer: { ids: Int32Array | null; text: string },
): LmSample {
  return {
    prompt,
    question: row.prompt.messages.map((m) => textOf(m.content)).join('\n'),
    answer: answer.text,
    answerFastIds: answer.ids ? Array.from(answer.ids) : null,
    targetFastIds: row.targetFastIds,
  };
}
