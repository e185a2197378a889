import type { PixelBox } from './pixel-boxes.js';
import type { SceneFacts } from './scene-facts.js';

/** The classes every patch vocabulary starts with: the table (and anything unnamed), and the gripper. */
export const BASE_PATCH_CLASSES = ['background', 'gripper'] as const;

/** Overlap (pixels) an object's box needs with a patch to name it; objects are a few pixels wide. */
const OBJECT_MIN_OVERLAP = 4;
/** Overlap a fixture's box needs; fixtures are larger, and an object on one wins its patch. */
const FIXTURE_MIN_OVERLAP = 8;

/** The patch-class vocabulary of `scenes`: the base classes, then every object and fixture label, sorted. */
export function patchClassNames(scenes: Iterable<SceneFacts>): string[] {
  const labels = new Set<string>();
  for (const scene of scenes)
    for (const thing of [...scene.objects, ...scene.fixtures]) labels.add(thing.label);
  return [...BASE_PATCH_CLASSES, ...[...labels].sort()];
}

/**
 * A class per `patchSize`² patch of the agent view (row-major, as the ViT reads it), from the frame's
 * privileged facts: the object whose pixel box covers most of the patch; else the fixture; else the gripper
 * where its grasp point falls in the patch; else background. Labels outside `classNames` throw.
 */
export function patchLabels(scene: SceneFacts, patchSize: number, classNames: readonly string[]): Int32Array {
  const side = scene.imageSize / patchSize;
  if (!Number.isInteger(side))
    throw new Error(
      `patch labels: a ${scene.imageSize}-pixel image does not split into ${patchSize}-pixel patches`,
    );
  const index = (label: string) => {
    const i = classNames.indexOf(label);
    if (i < 0) throw new Error(`patch labels: "${label}" is not a patch class (${classNames.join(', ')})`);
    return i;
  };
  const gripper = index('gripper');
  const out = new Int32Array(side * side).fill(index('background'));
  for (let row = 0; row < side; row++)
    for (let col = 0; col < side; col++) {
      const patch: PixelBox = [
        col * patchSize,
        row * patchSize,
        (col + 1) * patchSize - 1,
        (row + 1) * patchSize - 1,
      ];
      const winner =
        mostCovering(scene.objects, patch, OBJECT_MIN_OVERLAP) ??
        mostCovering(scene.fixtures, patch, FIXTURE_MIN_OVERLAP);
      const g = scene.gripper.pixel;
      if (winner !== null) out[row * side + col] = index(winner);
      else if (g && g[0] >= patch[0] && g[0] <= patch[2] && g[1] >= patch[1] && g[1] <= patch[3])
        out[row * side + col] = gripper;
    }
  return out;
}

/** The label of the thing whose box overlaps `patch` most, by at least `minimum` pixels, or null. */
function mostCovering(
  things: readonly { label: string; box: PixelBox | null }[],
  patch: PixelBox,
  minimum: number,
): string | null {
  let best: string | null = null;
  let most = minimum - 1;
  for (const { label, box } of things) {
    if (box === null) continue;
    const overlap =
      intervalOverlap(box[0], box[2], patch[0], patch[2]) *
      intervalOverlap(box[1], box[3], patch[1], patch[3]);
    if (overlap > most) {
      most = overlap;
      best = label;
    }
  }
  return best;
}

/** Pixels shared by the inclusive ranges a0…a1 and b0…b1. */
const intervalOverlap = (a0: number, a1: number, b0: number, b1: number) =>
  Math.max(0, Math.min(a1, b1) - Math.max(a0, b0) + 1);
