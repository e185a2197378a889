import type { ExpertPhase } from '@roboalign/bench';
import { chunkDisplacement, motionWords } from './motion-words.js';
import { phaseText } from './phase-text.js';
import type { SceneFacts } from './scene-facts.js';

/** The FAST prompt: the task instruction in a fixed question, then the robot state when given (`stateText`). */
export function fastPrompt(instruction: string, state?: string): string {
  const question = `What action should the robot take to ${instruction}?`;
  return state ? `${question} ${state}` : question;
}

/** The FAST question (with its state text, if any), asking for reasoning in `<think>` before answering `what`. */
function thinkFirst(instruction: string, state: string | undefined, what: string): string {
  return `${fastPrompt(instruction, state)} First think step by step inside <think></think>, then answer with ${what}.`;
}

/** The RL prompt: the FAST question (with its state text, if any), asking for reasoning in `<think>` before the action tokens. */
export function rlPrompt(instruction: string, state?: string): string {
  return thinkFirst(instruction, state, 'the action tokens');
}

/**
 * The RL prompt of the high-level-action target: the FAST question, asking for reasoning before the next step
 * in words (answered with a `phaseText` phrase, e.g. "move above the red block").
 */
export function highLevelPrompt(instruction: string, state?: string): string {
  return thinkFirst(instruction, state, 'the next step in words');
}

/**
 * The RL prompt of the point-trajectory target: the FAST question, asking for reasoning before the gripper's
 * pixel positions in the first image (the agent view; x the column, y the row) over the next half second,
 * answered as `trajectoryText` writes them.
 */
export function trajectoryPrompt(instruction: string, state?: string): string {
  return thinkFirst(
    instruction,
    state,
    "the gripper's pixel positions in the first image over the next half second as [(x,y),...]",
  );
}

/**
 * The reasoning of a think-then-act answer, templated from privileged facts: the expert's next step in words
 * (`phaseText`) and the direction the chunk moves the gripper.
 */
export function thinkText(instruction: string, nextStep: string, chunk: ArrayLike<number>): string {
  const motion = motionWords(chunkDisplacement(chunk));
  const moves = motion === 'stay in place' ? 'stays in place' : `moves ${motion}`;
  return `<think>The task is to ${instruction}. Next: ${nextStep}. Over the next half second the gripper ${moves}.</think>`;
}

/**
 * A think-then-act answer to {@link rlPrompt}: {@link thinkText}, then the action tokens inside `<answer>`
 * (the format the RoboAlign reward checks).
 */
export function thinkActAnswer(
  instruction: string,
  phase: ExpertPhase,
  facts: SceneFacts,
  chunk: ArrayLike<number>,
  actionTokens: string,
): string {
  return `${thinkText(instruction, phaseText(phase, facts), chunk)}<answer>${actionTokens}</answer>`;
}
