// Does the think-then-act answer get its actions from its reasoning? The true reasoning of each RL row, and
// how often a model's own reasoning names the true next step and motion.
import { phraseVerb } from '@roboalign/rewards';
import { type DatasetManifest, readDataset, thinkText } from '../data/index.js';

/**
 * The true reasoning of each RL row (`<think>…</think>`), templated as the data stage templates its
 * think-then-act rows, from the privileged facts of the FAST row it was drawn from.
 */
export async function trueReasoning(
  dataDir: string,
  rl: DatasetManifest,
  fast: DatasetManifest,
): Promise<string[]> {
  const [rlRows, fastRows] = await Promise.all([readDataset(dataDir, rl), readDataset(dataDir, fast)]);
  return rlRows.labels.map((label, i) => {
    const index = label.facts.fastRow;
    const facts = typeof index === 'number' ? fastRows.labels[index]?.facts : undefined;
    const {
      instruction,
      high_level: nextStep,
      chunk,
    } = (facts ?? {}) as {
      instruction?: string;
      high_level?: string;
      chunk?: number[];
    };
    if (instruction === undefined || nextStep === undefined || chunk === undefined)
      throw new Error(
        `${rl.labels}: line ${i + 1}: its FAST row (${String(index)} in ${fast.labels}) has no instruction, high_level and chunk`,
      );
    return thinkText(instruction, nextStep, chunk);
  });
}

const REASONING = /Next: (.*?)\. Over the next half second the gripper (.*?)\.<\/think>/;

/** The next step and motion a templated reasoning names; null where the text does not follow the template. */
export function reasoningParts(text: string): { nextStep: string; motion: string } | null {
  const match = REASONING.exec(text);
  return match ? { nextStep: match[1], motion: match[2] } : null;
}

/**
 * The share of generated reasonings that name the true next step word for word (object and its pixel
 * position included), its verb (`phraseVerb`, as the high-level reward's partial credit), and the true
 * motion. A reasoning off the template counts as wrong on all three.
 */
export function reasoningAgreement(
  generated: readonly string[],
  truth: readonly string[],
): { nextStep: number; nextStepVerb: number; motion: number } {
  if (generated.length !== truth.length)
    throw new Error(`reasoningAgreement: ${generated.length} reasonings for ${truth.length} true ones`);
  let nextStep = 0;
  let nextStepVerb = 0;
  let motion = 0;
  generated.forEach((text, i) => {
    const said = reasoningParts(text);
    const right = reasoningParts(truth[i]);
    if (right === null)
      throw new Error(`reasoningAgreement: true reasoning ${i} is off the template: ${truth[i]}`);
    if (said?.nextStep === right.nextStep) nextStep++;
    if (said !== null && phraseVerb(said.nextStep) === phraseVerb(right.nextStep)) nextStepVerb++;
    if (said?.motion === right.motion) motion++;
  });
  const n = Math.max(1, generated.length);
  return { nextStep: nextStep / n, nextStepVerb: nextStepVerb / n, motion: motion / n };
}
