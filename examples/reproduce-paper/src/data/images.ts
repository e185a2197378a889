import type { RgbImage } from '@roboalign/bench';
import { encodePngRgb } from '@roboalign/datasets';
import type { ProducedImage } from './types.js';

/** Which camera an image comes from. */
export type View = 'agent' | 'wrist';

/**
 * Where a frame's image goes, relative to the output folder: `images/<dataset>/<unit>-<frame>-<view>.png`,
 * named by unit and frame only, so the same rows give the same paths whichever worker made them.
 */
export function imagePath(dataset: string, unit: number, frame: number, view: View): string {
  return `images/${dataset}/${String(unit).padStart(6, '0')}-${String(frame).padStart(3, '0')}-${view}.png`;
}

/** A rendered camera image as a PNG to write at `path`. */
export function pngImage(path: string, image: RgbImage): ProducedImage {
  return { path, png: encodePngRgb(image) };
}
