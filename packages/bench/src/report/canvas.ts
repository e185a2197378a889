import { BenchError } from '../errors.js';
/** An RGB colour, one byte per channel. */
export type Rgb = readonly [number, number, number];

/** A raster of RGB pixels, row-major `[height, width, 3]`. */
export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A `width`×`height` canvas filled with `background`. */
export function createCanvas(width: number, height: number, background: Rgb): Canvas {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new BenchError(`createCanvas: expected positive integer size, got ${width}x${height}`);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(background, i);
  return { width, height, data };
}

/** The colour at (x, y); throws outside the canvas. */
export function getPixel(canvas: Canvas, x: number, y: number): Rgb {
  if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height)
    throw new BenchError(`getPixel: (${x}, ${y}) is outside the ${canvas.width}x${canvas.height} canvas`);
  const i = (y * canvas.width + x) * 3;
  return [canvas.data[i], canvas.data[i + 1], canvas.data[i + 2]];
}

/** Fills the axis-aligned rectangle [x, x+w) × [y, y+h), clipped to the canvas. */
export function fillRect(canvas: Canvas, x: number, y: number, w: number, h: number, color: Rgb): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(canvas.width, Math.round(x + w));
  const y1 = Math.min(canvas.height, Math.round(y + h));
  for (let py = y0; py < y1; py++) {
    for (let px = x0; px < x1; px++) canvas.data.set(color, (py * canvas.width + px) * 3);
  }
}

/** Fills the disc of radius `r` centred on (cx, cy), clipped to the canvas. */
export function fillDisc(canvas: Canvas, cx: number, cy: number, r: number, color: Rgb): void {
  const r2 = r * r;
  for (let dy = -Math.ceil(r); dy <= Math.ceil(r); dy++) {
    for (let dx = -Math.ceil(r); dx <= Math.ceil(r); dx++) {
      if (dx * dx + dy * dy <= r2) fillRect(canvas, Math.round(cx) + dx, Math.round(cy) + dy, 1, 1, color);
    }
  }
}

/** Draws a straight line `thickness` pixels wide by stamping squares along its length. */
export function drawLine(
  canvas: Canvas,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: Rgb,
  thickness = 1,
): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  const half = Math.floor((thickness - 1) / 2);
  for (let i = 0; i <= steps; i++) {
    const x = Math.round(x0 + ((x1 - x0) * i) / steps);
    const y = Math.round(y0 + ((y1 - y0) * i) / steps);
    fillRect(canvas, x - half, y - half, thickness, thickness, color);
  }
}
