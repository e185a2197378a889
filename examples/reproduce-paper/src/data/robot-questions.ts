import type { Rng } from '@roboalign/utils';
import type { QuestionAnswer } from './general-questions.js';
import { chunkDisplacement, motionWords } from './motion-words.js';
import { phaseText } from './phase-text.js';
import type { PoolFrame } from './pool-episodes.js';
import { describeObject } from './scene-facts.js';

/** Steps after a gripper command before the fingers count as settled (the experts close over 6 steps). */
export const GRIP_SETTLE_STEPS = 6;

/** The robot-grounded question kinds (the paper's RoboAlign VQA analogue). */
export const ROBOT_KINDS = ['gripper-position', 'gripper-state', 'next-step', 'next-motion'] as const;
export type RobotKind = (typeof ROBOT_KINDS)[number];

/** "(col, row)". */
export function formatPixel([x, y]: readonly [number, number]): string {
  return `(${x}, ${y})`;
}

/** The gripper's state in words: "open, holding nothing" or "closed, holding the red block". */
export function gripperStateText(frame: PoolFrame): string {
  const g = frame.facts.gripper;
  const held = g.holding ? describeObject(frame.facts, g.holding) : 'nothing';
  return `${g.closed ? 'closed' : 'open'}, holding ${held}`;
}

function build(kind: RobotKind, frame: PoolFrame): QuestionAnswer | null {
  const task = `The task is: ${frame.instruction}.`;
  const g = frame.facts.gripper;
  switch (kind) {
    case 'gripper-position':
      if (!g.pixel) return null;
      return {
        kind,
        question: 'Where is the gripper in the image? Answer with its pixel (x, y).',
        answer: formatPixel(g.pixel),
        facts: { pixel: g.pixel, position: g.position },
      };
    case 'gripper-state':
      // While the fingers move, "open" and "closed" are both half true: ask only once they settled.
      if (frame.gripSteady < GRIP_SETTLE_STEPS) return null;
      return {
        kind,
        question: 'Is the gripper open or closed, and what does it hold?',
        answer: gripperStateText(frame),
        facts: { closed: g.closed, holding: g.holding, halfGap: g.halfGap },
      };
    case 'next-step':
      if (!frame.phase) return null;
      return {
        kind,
        question: `${task} What should the robot do next?`,
        answer: phaseText(frame.phase, frame.facts),
        facts: { phase: frame.phase },
      };
    case 'next-motion': {
      const displacement = chunkDisplacement(frame.chunk);
      return {
        kind,
        question: `${task} In which direction will the gripper move next?`,
        answer: motionWords(displacement),
        facts: { displacement, chunk: Array.from(frame.chunk) },
      };
    }
  }
}

/** Up to `n` questions of distinct kinds about a frame, kinds drawn uniformly among those that apply. */
export function robotQuestions(frame: PoolFrame, rng: Rng, n: number): QuestionAnswer[] {
  const kinds = [...ROBOT_KINDS];
  const out: QuestionAnswer[] = [];
  while (out.length < n && kinds.length > 0) {
    const [kind] = kinds.splice(Math.floor(rng() * kinds.length), 1);
    const qa = build(kind, frame);
    if (qa) out.push(qa);
  }
  return out;
}
