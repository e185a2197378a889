import {
  type ActionDecoder,
  actionDistanceReward,
  highLevelRewardParts,
  roboalignRewardParts,
  trajectoryRewardParts,
} from '@roboalign/rewards';
import { type Conversation, readConversations, type VlmTokenizer } from '@roboalign/vlm';

/**
 * What GRPO aligns the language model to: RoboAlign's FAST tokens, or one of the paper's alternatives
 * (Tables 6 and 7), the next high-level action in words or the gripper's point trajectory in pixels.
 */
export type AlignmentTarget = 'fast' | 'high-level' | 'trajectory';

/** An RL prompt with what its reward compares against: always the FAST ids, and the alternative target. */
export interface TargetPrompt {
  prompt: Conversation;
  targetFastIds: number[];
  /** The expert's next step in words (high-level rows). */
  targetText?: string;
  /** Agent-view pixels `[column, row]` of the grasp point (trajectory rows), in an `imageSize`² image. */
  targetTrajectory?: [number, number][];
  imageSize?: number;
}

/** The FAST prompts' rows: {@link readTargetPrompts} for the `fast` target. */
export type RlPrompt = TargetPrompt;

/** Reads FAST RL rows (or held-out FAST rows, whose targets are their answers' ids). */
export function readRlPrompts(path: string): Promise<RlPrompt[]> {
  return readTargetPrompts(path, 'fast');
}

/**
 * The FAST ids a generation wrote after its first `<ACTION_START>`: up to `<ACTION_END>`, the first token that
 * is not a FAST token, or the end of the generation (a chunk cut off by the token budget still has a scorable
 * prefix); null without a start marker. The one reader of generated action ids, shared by GRPO's reward and
 * the language-model evaluation; it reads the ids wherever the answer wrote them (the `<answer>` block is
 * the format reward's concern).
 */
export function generatedFastIds(tokenizer: VlmTokenizer, lmIds: ArrayLike<number>): Int32Array | null {
  return tokenizer.actions.extract(lmIds, { allowUnterminated: true });
}

/** A reward and the two parts it is the mean of. */
export interface RewardParts {
  reward: number;
  format: number;
  accuracy: number;
}

const isPoint = (p: unknown): p is [number, number] =>
  Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v));

/**
 * Reads RL rows of a target: the user turn is the prompt (an assistant turn, if any, is dropped) and the row's
 * target fields are checked, so a bad row fails here with its file and line rather than inside GRPO.
 */
export async function readTargetPrompts(path: string, target: AlignmentTarget): Promise<TargetPrompt[]> {
  const rows = await readConversations(path);
  return rows.map(({ conversation, source }) => {
    const row = conversation as Conversation & Partial<Omit<TargetPrompt, 'prompt'>>;
    const fail = (what: string) => {
      throw new Error(`${source.file}:${source.line}: a ${target} RL row needs ${what}`);
    };
    if (!Array.isArray(row.targetFastIds)) fail('a "targetFastIds" array');
    if (target === 'high-level' && (typeof row.targetText !== 'string' || row.targetText.trim() === ''))
      fail('a non-empty "targetText"');
    if (target === 'trajectory') {
      if (
        !Array.isArray(row.targetTrajectory) ||
        row.targetTrajectory.length === 0 ||
        !row.targetTrajectory.every(isPoint)
      )
        fail('a "targetTrajectory" of [x, y] integer pairs');
      if (!Number.isInteger(row.imageSize) || (row.imageSize ?? 0) <= 0)
        fail('a positive integer "imageSize"');
    }
    return {
      prompt: { messages: conversation.messages.filter((m) => m.role !== 'assistant') },
      targetFastIds: row.targetFastIds as number[],
      ...(target === 'high-level' ? { targetText: row.targetText } : {}),
      ...(target === 'trajectory'
        ? { targetTrajectory: row.targetTrajectory, imageSize: row.imageSize }
        : {}),
    };
  });
}

/**
 * FAST's accuracy from the decoded actions instead of the ids: `exp(−MAE / temperature)` of the generated
 * chunk against the target's (`actionDistanceReward`), 0 for an answer that does not decode.
 */
export interface ActionAccuracy {
  decode: ActionDecoder;
  temperature: number;
}

/**
 * The reward of one completion for a target, mean(format, accuracy) as the paper combines them: FAST's
 * accuracy is the prefix similarity of the generated action ids (read by the tokenizer's action reader), or,
 * given `actionAccuracy`, a distance of their decoded actions; the high-level one an exact phrase match with
 * half credit for the right verb, the trajectory one 1 − the clipped mean pixel distance over the image size
 * (`@roboalign/rewards`).
 */
export function targetReward(
  target: AlignmentTarget,
  tokenizer: VlmTokenizer,
  completion: { text: string; ids: ArrayLike<number> },
  row: TargetPrompt,
  actionAccuracy?: ActionAccuracy,
): RewardParts {
  if (target === 'fast') {
    const parts = roboalignRewardParts(completion.text, row.targetFastIds, {
      actionIds: generatedFastIds(tokenizer, completion.ids),
    });
    if (actionAccuracy === undefined) return parts;
    const accuracy =
      parts.actionIds === null ? 0 : actionDistanceReward(parts.actionIds, row.targetFastIds, actionAccuracy);
    return { ...parts, accuracy, reward: (parts.format + accuracy) / 2 };
  }
  if (target === 'high-level') return highLevelRewardParts(completion.text, row.targetText as string);
  return trajectoryRewardParts(completion.text, row.targetTrajectory as [number, number][], {
    imageSize: row.imageSize as number,
  });
}
