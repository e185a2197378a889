import { BenchError } from '../errors.js';

/** A kept rollout as an animated WebP: agent view (left) beside wrist view (right). */
export interface RolloutVideo {
  readonly kind: 'episode' | 'chain';
  readonly suite: string;
  /** Why it was kept: `success`/`failure` (sample of a task), `longest`/`shortest` (chains), or plain. */
  readonly roles: readonly string[];
  /** Episodes: the task and trial. */
  readonly taskIndex?: number;
  readonly trial?: number;
  /** Chains: the chain number and how many of its subtasks were completed. */
  readonly chain?: number;
  readonly completed?: number;
  /** The instruction (episodes) or the instructions attempted, in order (chains). */
  readonly instructions: readonly string[];
  readonly success: boolean;
  /** Control steps of the rollout. */
  readonly steps: number;
  /** Animation frames (one per policy query, plus the final state). */
  readonly frames: number;
  /** Size of one composed frame in pixels (two cameras side by side). */
  readonly width: number;
  readonly height: number;
  /** Simulated seconds per second of playback. */
  readonly speed: number;
  /** Total playback time in milliseconds. */
  readonly durationMs: number;
  /** Animated WebP bytes. */
  readonly webp: Uint8Array;
}

/** Options of {@link encodeAnimatedWebp}. */
export interface AnimationOptions {
  /** Milliseconds each frame shows (one value, or one per frame). */
  readonly delayMs: number | readonly number[];
  /** WebP quality 1..100 (default 90: small objects stay legible at 64×64). */
  readonly quality?: number;
}

/**
 * Encodes frames stacked in one tall RGB raster (`frames` pages of `width`×`height`) as a looping animated
 * WebP with libwebp through `sharp`. WebP animations play in every current browser from an `<img>` tag,
 * need no codec licence and no script.
 */
export async function encodeAnimatedWebp(
  raster: { width: number; height: number; frames: number; data: Uint8Array },
  options: AnimationOptions,
): Promise<Uint8Array> {
  const { width, height, frames, data } = raster;
  if (frames < 1 || width < 1 || height < 1)
    throw new BenchError(`encodeAnimatedWebp: no frames (${frames} of ${width}x${height})`);
  if (data.length !== width * height * frames * 3)
    throw new BenchError(
      `encodeAnimatedWebp: expected ${width * height * frames * 3} bytes for ${frames} RGB frames of ${width}x${height}, got ${data.length}`,
    );
  const delays =
    typeof options.delayMs === 'number' ? new Array(frames).fill(options.delayMs) : options.delayMs;
  if (delays.length !== frames)
    throw new BenchError(`encodeAnimatedWebp: ${delays.length} delays for ${frames} frames`);
  const { default: sharp } = await import('sharp');
  const webp = await sharp(data, { raw: { width, height: height * frames, channels: 3, pageHeight: height } })
    .webp({ loop: 0, delay: [...delays], quality: options.quality ?? 90, effort: 2 })
    .toBuffer();
  // A copy in an ArrayBuffer of its own, so a worker can transfer it to the main thread.
  return new Uint8Array(webp);
}
