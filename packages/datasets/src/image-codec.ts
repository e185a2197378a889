import { decode as decodePng, encode as encodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { DatasetError } from './errors.js';
import type { RgbImage } from './rgb-image.js';

/** True when `bytes` starts with the JPEG SOI marker. */
export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** True when `bytes` starts with the 8-byte PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length >= 8 && signature.every((b, i) => bytes[i] === b);
}

/** Decodes JPEG bytes to RGB (the decoder's alpha channel is dropped). */
export function decodeJpegRgb(bytes: Uint8Array, where: string): RgbImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false });
  } catch (error) {
    throw new DatasetError(`${where}: JPEG decode failed: ${(error as Error).message}`);
  }
  const { width, height, data } = decoded;
  if (data.length !== width * height * 3) {
    throw new DatasetError(`${where}: JPEG decoded to ${data.length} bytes, expected ${width}x${height}x3`);
  }
  return { width, height, data };
}

/** Decodes 8-bit grey, grey+alpha, RGB or RGBA PNG bytes to RGB (alpha dropped, grey replicated). */
export function decodePngRgb(bytes: Uint8Array, where: string): RgbImage {
  let png: ReturnType<typeof decodePng>;
  try {
    png = decodePng(bytes);
  } catch (error) {
    throw new DatasetError(`${where}: PNG decode failed: ${(error as Error).message}`);
  }
  const { width, height, channels, depth } = png;
  if (depth !== 8 || png.palette !== undefined || channels < 1 || channels > 4) {
    throw new DatasetError(
      `${where}: PNG must be 8-bit grey/RGB(A) without palette, got depth ${depth}, ${channels} channels`,
    );
  }
  const src = png.data;
  if (channels === 3) return { width, height, data: new Uint8Array(src.buffer, src.byteOffset, src.length) };
  const data = new Uint8Array(width * height * 3);
  const colour = channels >= 3;
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = src[p * channels + (colour ? c : 0)];
  }
  return { width, height, data };
}

/** Decodes JPEG or PNG bytes (told apart by signature) to RGB. */
export function decodeImageRgb(bytes: Uint8Array, where: string): RgbImage {
  if (isJpeg(bytes)) return decodeJpegRgb(bytes, where);
  if (isPng(bytes)) return decodePngRgb(bytes, where);
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new DatasetError(`${where}: neither JPEG nor PNG (first bytes: ${head || 'none'})`);
}

/** Encodes an RGB image as an 8-bit RGB PNG (lossless). */
export function encodePngRgb(image: RgbImage): Uint8Array {
  return encodePng({ width: image.width, height: image.height, data: image.data, channels: 3, depth: 8 });
}
