import type { AlignmentTarget } from './alignment-targets.js';

/**
 * The language models of the experiment, in the paper's terms: the five of its main tables, and the two
 * alternative alignments of its Tables 6 and 7 (GRPO from roboalign-sft on another target).
 */
export const VARIANTS = [
  'base',
  'sft-mllm',
  'sft-fast',
  'roboalign-sft',
  'roboalign',
  'align-highlevel',
  'align-trajectory',
] as const;
export type Variant = (typeof VARIANTS)[number];

/** The variants GRPO makes from roboalign-sft, and the target each aligns to; only target and reward differ. */
export const GRPO_TARGETS = {
  roboalign: 'fast',
  'align-highlevel': 'high-level',
  'align-trajectory': 'trajectory',
} as const satisfies Partial<Record<Variant, AlignmentTarget>>;
export type GrpoVariant = keyof typeof GRPO_TARGETS;

/** Whether GRPO makes the variant. */
export function isGrpoVariant(v: Variant): v is GrpoVariant {
  return Object.hasOwn(GRPO_TARGETS, v);
}

/** Whether a run has an alternative alignment, which adds its targets' data and SFT rows to the data stage. */
export function hasAlternativeTargets(variants: readonly Variant[]): boolean {
  return variants.some((v) => isGrpoVariant(v) && GRPO_TARGETS[v] !== 'fast');
}

/** What each variant is trained from: every variant needs base, and every GRPO variant roboalign-sft. */
export function withPrerequisites(variants: readonly Variant[]): Variant[] {
  const wanted = new Set<Variant>(variants);
  wanted.add('base');
  if (variants.some(isGrpoVariant)) wanted.add('roboalign-sft');
  return VARIANTS.filter((v) => wanted.has(v));
}
