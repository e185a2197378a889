import { type ExpertPhase, type ExpertStep, GEOMETRY, type Vec3 } from '@roboalign/bench';
import type { Rng } from '@roboalign/utils';
import { phaseText } from './phase-text.js';
import type { PoolFrame } from './pool-episodes.js';
import { GRIP_SETTLE_STEPS } from './robot-questions.js';
import { describeObject, type SceneFacts } from './scene-facts.js';

/**
 * How wrong the stand-in teacher's perception is: Gaussian noise on every position it reads, on the finger gap,
 * and a chance of misreading the gripper command. A zero-shot CoT teacher is right only part of the time; the
 * generator keeps a trace only when its answer matches the privileged state, as the paper filters distilled
 * traces.
 */
export interface TeacherNoise {
  /** Standard deviation of each perceived coordinate, metres (default 0.015). */
  readonly position: number;
  /** Standard deviation of the perceived finger half gap, metres (default 0.003). */
  readonly fingerGap: number;
  /** Chance of reading the gripper command the wrong way round (default 0.08). */
  readonly gripFlip: number;
}

export const DEFAULT_TEACHER_NOISE: TeacherNoise = { position: 0.015, fingerGap: 0.003, gripFlip: 0.08 };

/** The embodied multiple-choice kinds. */
export const REASONING_KINDS = ['next-step', 'target-direction', 'holding'] as const;
export type ReasoningKind = (typeof REASONING_KINDS)[number];

/** A multiple-choice question with its right option, from privileged state. */
export interface ChoiceQuestion {
  readonly kind: ReasoningKind;
  readonly stem: string;
  readonly options: readonly string[];
  readonly correct: number;
  /** What the right option rests on (privileged), for checking kept traces. */
  readonly truth: Readonly<Record<string, unknown>>;
}

/** A teacher's chain of thought and the option text it concludes with. */
export interface TeacherTrace {
  readonly think: string;
  readonly choice: string;
}

/** What the teacher believes it sees. */
interface Perception {
  readonly gripper: Vec3;
  readonly closed: boolean;
  readonly halfGap: number;
  position(body: string): Vec3;
}

const LETTERS = ['A', 'B', 'C', 'D'];

/** The letter of option `index`. */
export function optionLetter(index: number): string {
  return LETTERS[index];
}

function gaussian(rng: Rng): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Position of an object or fixture named in the facts. */
export function bodyPosition(facts: SceneFacts, body: string): Vec3 | undefined {
  return (
    facts.objects.find((o) => o.name === body)?.position ??
    facts.fixtures.find((f) => f.name === body)?.position
  );
}

function perceive(facts: SceneFacts, rng: Rng, noise: TeacherNoise): Perception {
  const jitter = (p: Vec3): Vec3 => p.map((v) => v + noise.position * gaussian(rng)) as Vec3;
  const seen = new Map<string, Vec3>();
  for (const o of facts.objects) seen.set(o.name, jitter(o.position));
  for (const f of facts.fixtures) seen.set(f.name, jitter(f.position));
  return {
    gripper: jitter(facts.gripper.position),
    closed: rng() < noise.gripFlip ? !facts.gripper.closed : facts.gripper.closed,
    halfGap: facts.gripper.halfGap + noise.fingerGap * gaussian(rng),
    position: (body) => seen.get(body) ?? [0, 0, 0],
  };
}

const cm = (metres: number) => Math.round(metres * 100);
const horizontal = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** Half the height of a movable (its centre's height above what it rests on). */
function halfHeightOf(facts: SceneFacts, body: string): number {
  const o = facts.objects.find((x) => x.name === body);
  return o?.noun === 'can' ? GEOMETRY.cylinderHalfHeight : GEOMETRY.cubeHalf;
}

/** Height of the surface an object is put down on. */
function surfaceTop(facts: SceneFacts, target: string, seen: Vec3): number {
  if (target === 'plate') return 2 * GEOMETRY.plateHalfHeight;
  if (target === 'tray') return 0.008;
  return seen[2] + halfHeightOf(facts, target);
}

const PICK_STEPS: readonly ExpertStep[] = ['move-above', 'lower-to', 'close-gripper', 'lift'];
const PLACE_STEPS: readonly ExpertStep[] = ['carry-above', 'lower-onto', 'release'];

/** The object being picked or held and where it goes, for pick-and-place phases; null for other phases. */
function pickPlaceRoles(frame: PoolFrame): { item: string; place?: string } | null {
  const { phase, facts } = frame;
  if (!phase) return null;
  const isMovable = (name: string | undefined) =>
    name !== undefined && facts.objects.some((o) => o.name === name);
  if (PICK_STEPS.includes(phase.step) && isMovable(phase.target)) return { item: phase.target! };
  const held = facts.gripper.holding ?? undefined;
  const place = phase.target ?? frame.placeTarget;
  if (PLACE_STEPS.includes(phase.step) && isMovable(held) && place && bodyPosition(facts, place))
    return { item: held!, place };
  return null;
}

function stepOptions(frame: PoolFrame, roles: { item: string; place?: string }): string[] {
  const text = (step: ExpertStep, target: string) => phaseText({ step, target }, frame.facts);
  if (roles.place === undefined) return PICK_STEPS.map((step) => text(step, roles.item));
  return [...PLACE_STEPS.map((step) => text(step, roles.place!)), text('lift', roles.item)];
}

/** The privileged question of a frame of `kind`, or null when it does not apply to the frame. */
export function choiceQuestion(kind: ReasoningKind, frame: PoolFrame, rng: Rng): ChoiceQuestion | null {
  const { facts } = frame;
  const shuffle = (options: string[], correctText: string) => {
    for (let i = options.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [options[i], options[j]] = [options[j], options[i]];
    }
    return { options, correct: options.indexOf(correctText) };
  };
  if (kind === 'next-step') {
    const roles = pickPlaceRoles(frame);
    if (!roles || !frame.phase) return null;
    const right = phaseText(frame.phase, facts);
    const options = stepOptions(frame, roles);
    if (!options.includes(right) || new Set(options).size !== options.length) return null;
    return {
      kind,
      stem: 'What should the robot do next?',
      ...shuffle(options, right),
      truth: { phase: frame.phase, ...roles },
    };
  }
  if (kind === 'target-direction') {
    const target = frame.phase?.target;
    const at = target === undefined ? undefined : bodyPosition(facts, target);
    if (target === undefined || at === undefined || target === facts.gripper.holding) return null;
    const right = horizontalDirection(facts.gripper.position, at, 1.3);
    if (right === null) return null;
    return {
      kind,
      stem: `Seen from the robot, in which direction is ${describeObject(facts, target)} from the gripper?`,
      ...shuffle([...DIRECTIONS], right),
      truth: { target, gripper: facts.gripper.position, targetPosition: at },
    };
  }
  if (frame.gripSteady < GRIP_SETTLE_STEPS || facts.objects.length === 0) return null;
  const item =
    facts.gripper.holding ??
    (frame.phase?.target && facts.objects.some((o) => o.name === frame.phase?.target)
      ? frame.phase.target
      : facts.objects[Math.floor(rng() * facts.objects.length)].name);
  const holds = facts.gripper.holding === item;
  return {
    kind,
    stem: `Is the gripper holding ${describeObject(facts, item)}?`,
    ...shuffle(['yes', 'no'], holds ? 'yes' : 'no'),
    truth: { item, holding: facts.gripper.holding },
  };
}

/** The four answers of a direction question. */
export const DIRECTIONS = [
  'to the left',
  'to the right',
  'farther from the robot',
  'closer to the robot',
] as const;

/**
 * The main horizontal direction from `from` to `to`: the larger of the x (left/right) and y (farther/closer)
 * offsets, or null when it is under 3 cm or not `ratio` times the other.
 */
export function horizontalDirection(from: Vec3, to: Vec3, ratio: number): string | null {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const [big, small] = Math.abs(dx) >= Math.abs(dy) ? [dx, dy] : [dy, dx];
  if (Math.abs(big) < 0.03 || Math.abs(big) < ratio * Math.abs(small)) return null;
  if (Math.abs(dx) >= Math.abs(dy)) return dx < 0 ? DIRECTIONS[0] : DIRECTIONS[1];
  return dy > 0 ? DIRECTIONS[2] : DIRECTIONS[3];
}

function describeGrip(p: Perception): string {
  return `The gripper is ${p.closed ? 'closed' : 'open'}, its fingers ${cm(2 * p.halfGap)} cm apart.`;
}

/** The teacher's pick-and-place reasoning from what it perceives. */
function nextStepTrace(frame: PoolFrame, q: ChoiceQuestion, p: Perception, task: string): TeacherTrace {
  const { facts } = frame;
  const { item, place } = q.truth as { item: string; place?: string };
  const name = describeObject(facts, item);
  const itemAt = p.position(item);
  const lines = [task, describeGrip(p)];
  const holding = p.closed && p.halfGap > 0.012 && p.halfGap < 0.034 && horizontal(p.gripper, itemAt) < 0.03;
  const text = (step: ExpertStep, target: string) => phaseText({ step, target }, facts);
  if (place === undefined) {
    const away = horizontal(p.gripper, itemAt);
    const above = p.gripper[2] - itemAt[2];
    lines.push(`${cap(name)} is ${cm(away)} cm away horizontally and ${cm(above)} cm below the gripper.`);
    if (p.closed && holding) {
      lines.push('The closed fingers hold it, so it has to be lifted.');
      return { think: lines.join(' '), choice: text('lift', item) };
    }
    if (p.closed) {
      lines.push('The fingers are closing around it, so the grasp has to finish.');
      return { think: lines.join(' '), choice: text('close-gripper', item) };
    }
    if (away > 0.012) {
      lines.push('The gripper is not above it yet.');
      return { think: lines.join(' '), choice: text('move-above', item) };
    }
    if (above > 0.008) {
      lines.push('The gripper is above it but still too high to grasp.');
      return { think: lines.join(' '), choice: text('lower-to', item) };
    }
    lines.push('The open fingers are around it.');
    return { think: lines.join(' '), choice: text('close-gripper', item) };
  }
  const placeName = describeObject(facts, place);
  const placeAt = p.position(place);
  const away = horizontal(itemAt, placeAt);
  const gap = itemAt[2] - halfHeightOf(facts, item) - surfaceTop(facts, place, placeAt);
  lines.push(`The gripper holds ${name}, which has to go to ${placeName}.`);
  lines.push(
    `${cap(placeName)} is ${cm(away)} cm away horizontally; the held object is ${cm(gap)} cm above it.`,
  );
  if (itemAt[2] < halfHeightOf(facts, item) + 0.03 && away > 0.03) {
    lines.push('The held object is still near the table, so it has to be lifted first.');
    return { think: lines.join(' '), choice: text('lift', item) };
  }
  if (away > 0.012) {
    lines.push(`It is not above ${placeName} yet.`);
    return { think: lines.join(' '), choice: text('carry-above', place) };
  }
  if (gap > 0.02) {
    lines.push('It is above the spot but too high to let go.');
    return { think: lines.join(' '), choice: text('lower-onto', place) };
  }
  lines.push('It is just above the spot, so it can be let go.');
  return { think: lines.join(' '), choice: text('release', place) };
}

function directionTrace(frame: PoolFrame, q: ChoiceQuestion, p: Perception, task: string): TeacherTrace {
  const { target } = q.truth as { target: string };
  const name = describeObject(frame.facts, target);
  const at = p.position(target);
  const dx = at[0] - p.gripper[0];
  const dy = at[1] - p.gripper[1];
  const choice = Math.abs(dx) >= Math.abs(dy) ? DIRECTIONS[dx < 0 ? 0 : 1] : DIRECTIONS[dy > 0 ? 2 : 3];
  const think = [
    task,
    `The gripper is at about (${cm(p.gripper[0])}, ${cm(p.gripper[1])}) cm on the table and ${name} at about (${cm(at[0])}, ${cm(at[1])}) cm.`,
    `That is ${cm(Math.abs(dx))} cm to the ${dx < 0 ? 'left' : 'right'} and ${cm(Math.abs(dy))} cm ${dy > 0 ? 'farther from' : 'closer to'} the robot.`,
    `The larger offset decides: ${name} is ${choice}.`,
  ].join(' ');
  return { think, choice };
}

function holdingTrace(frame: PoolFrame, q: ChoiceQuestion, p: Perception, task: string): TeacherTrace {
  const { item } = q.truth as { item: string };
  const name = describeObject(frame.facts, item);
  const away = Math.hypot(...([0, 1, 2].map((i) => p.position(item)[i] - p.gripper[i]) as Vec3));
  const closedOnSomething = p.closed && p.halfGap > 0.012 && p.halfGap < 0.034;
  const holds = closedOnSomething && away < 0.03;
  const think = [
    task,
    describeGrip(p),
    `${cap(name)} is ${cm(away)} cm from the point between the fingertips.`,
    holds
      ? 'The fingers are closed on something right there, so it is held.'
      : p.closed
        ? 'The fingers are not closed on it, so it is not held.'
        : 'Open fingers hold nothing.',
  ].join(' ');
  return { think, choice: holds ? 'yes' : 'no' };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One zero-shot CoT answer of the stand-in teacher, reasoning from a noisy perception of the frame. */
export function teacherTrace(
  frame: PoolFrame,
  q: ChoiceQuestion,
  rng: Rng,
  noise: TeacherNoise,
): TeacherTrace {
  const p = perceive(frame.facts, rng, noise);
  const task = `The task is to ${frame.instruction}.`;
  const trace =
    q.kind === 'next-step'
      ? nextStepTrace(frame, q, p, task)
      : q.kind === 'target-direction'
        ? directionTrace(frame, q, p, task)
        : holdingTrace(frame, q, p, task);
  return { think: `${trace.think} So the answer is: ${trace.choice}.`, choice: trace.choice };
}

/** The prompt of a multiple-choice question, asking for the reasoning before the letter. */
export function choicePrompt(frame: PoolFrame, q: ChoiceQuestion): string {
  const options = q.options.map((o, i) => `(${optionLetter(i)}) ${o}`).join(' ');
  return (
    `The task is: ${frame.instruction}. ${q.stem} Options: ${options}. ` +
    'Think step by step inside <think></think>, then give the letter of the answer inside <answer></answer>.'
  );
}

/** The assistant's answer: `<think>…</think><answer>B</answer>`. */
export function choiceAnswer(trace: TeacherTrace, letter: string): string {
  return `<think>${trace.think}</think><answer>${letter}</answer>`;
}

/** The phase a next-step question was built from (for checks). */
export function questionPhase(q: ChoiceQuestion): ExpertPhase | undefined {
  return (q.truth as { phase?: ExpertPhase }).phase;
}
