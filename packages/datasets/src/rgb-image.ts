/**
 * An RGB image, row-major `[height, width, 3]`, one byte per channel. `@roboalign/serve` declares the same
 * shape for observations; the two are structurally one type, so images pass between the packages as they are.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}
