import type { ExpertPhase } from '@roboalign/bench';
import { describeObject, type SceneFacts } from './scene-facts.js';

/** What the phase acts on, as text: the drawer's handle for grasping steps, else the object or fixture. */
function targetText(phase: ExpertPhase, facts: SceneFacts, handle: boolean): string {
  if (phase.target === undefined) return 'it';
  if (phase.target === 'drawer' && handle) return 'the drawer handle';
  return describeObject(facts, phase.target);
}

/** The held object as text, or "it". */
function heldText(facts: SceneFacts): string {
  return facts.gripper.holding ? describeObject(facts, facts.gripper.holding) : 'it';
}

/**
 * The expert's phase as a high-level step in words: "move above the red block", "close the gripper on the
 * drawer handle", "lower the red block onto the plate". Objects that share a label are told apart by their
 * pixel position.
 */
export function phaseText(phase: ExpertPhase, facts: SceneFacts): string {
  const target = targetText(phase, facts, true);
  switch (phase.step) {
    case 'open-gripper':
      return 'open the gripper';
    case 'move-above':
      return `move above ${target}`;
    case 'lower-to':
      return `lower the gripper to ${target}`;
    case 'close-gripper':
      return `close the gripper on ${target}`;
    case 'lift':
      return `lift ${target}`;
    case 'carry-above':
      return `carry ${heldText(facts)} above ${target}`;
    case 'lower-onto':
      return `lower ${heldText(facts)} onto ${target}`;
    case 'release':
      return facts.gripper.holding ? `open the gripper to release ${heldText(facts)}` : 'open the gripper';
    case 'rise':
      return 'move the gripper up';
    case 'move-behind':
      return `move behind ${target}`;
    case 'lower-behind':
      return `lower the gripper behind ${target}`;
    case 'push':
      return `push ${target}`;
    case 'pull-open':
      return 'pull the drawer open';
    case 'move-in-front':
      return `move in front of ${targetText(phase, facts, false)}`;
    case 'push-closed':
      return 'push the drawer closed';
    case 'press':
      return `press ${target}`;
  }
}
