import { DatasetError } from './errors.js';
import type { RgbImage } from './rgb-image.js';

/** The codec LeRobot-layout videos are written with: H.264 (High profile, level 3.1), yuv420p. */
export const MP4_CODEC = 'avc1.64001f';

/** Options of {@link encodeMp4}. */
export interface Mp4EncodeOptions {
  /** Frames per second of the video (LeRobot: the dataset fps). */
  readonly fps: number;
  /**
   * Target bits per pixel per frame (default 1; on 64×64 tabletop renders about 34.5 dB PSNR, where more bits
   * buy little: the loss left is 4:2:0 chroma subsampling at coloured edges).
   */
  readonly bitsPerPixel?: number;
  /** A key frame every `keyFrameInterval` frames (default 2, LeRobot's `g=2`, for fast random access). */
  readonly keyFrameInterval?: number;
}

/** A decoded video. */
export interface DecodedVideo {
  readonly frames: RgbImage[];
  /** Codec string of the track, e.g. `avc1.64001F`. */
  readonly codec: string;
  /** Presentation time of each frame in seconds. */
  readonly timestamps: Float64Array;
}

type WebCodecs = typeof import('@napi-rs/webcodecs');
let webCodecs: Promise<WebCodecs> | undefined;

/** The optional peer dependency that encodes and decodes MP4 (opt-in: its binary links GPL-2.0+ libx264). */
export const WEBCODECS_PACKAGE = '@napi-rs/webcodecs';
/** The version the tests run (a dev dependency); 1.4 needs Node 22. */
const WEBCODECS_TESTED = '1.3.1';

/**
 * What a missing or unloadable `@napi-rs/webcodecs` says: the package, how to install it, what opting in
 * brings, and its licence.
 */
export function webCodecsMissingMessage(where: string, cause: unknown): string {
  const message = String((cause as { message?: unknown } | undefined)?.message ?? cause);
  // Not found: Node's resolution error for this package, possibly wrapped (`cause`) by a loader.
  let notInstalled = false;
  for (let e = cause as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; ; ) {
    if (e === null || typeof e !== 'object' || depth++ > 4) break;
    if (
      (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') &&
      String(e.message).includes(WEBCODECS_PACKAGE)
    ) {
      notInstalled = true;
      break;
    }
    e = e.cause as typeof e;
  }
  return [
    `${where}: MP4 video needs the optional peer dependency ${WEBCODECS_PACKAGE}, which ${
      notInstalled ? 'is not installed' : `could not be loaded (${message})`
    }.`,
    `Install it next to @roboalign/datasets to opt in: npm install ${WEBCODECS_PACKAGE}@${WEBCODECS_TESTED}`,
    '(the version tested; 1.4 needs Node 22).',
    "It brings H.264 MP4 encoding and decoding, the way LeRobot stores camera videos (frames: 'mp4',",
    'reading datasets with `video` features, encodeMp4, decodeMp4).',
    'Licence: its native binary links FFmpeg with libx264 (GPL-2.0-or-later), so a distribution that bundles it',
    "is under the GPL's terms. Without it, keep PNG frames (frames: 'png', the default) or read with",
    'decodeImages: false.',
  ].join(' ');
}

// The native codec library (FFmpeg inside @napi-rs/webcodecs, an optional peer dependency) loads only when a
// video is touched. A failed load is not kept here: the next call tries again.
function loadWebCodecs(where: string): Promise<WebCodecs> {
  webCodecs ??= import('@napi-rs/webcodecs');
  const loading = webCodecs;
  return loading.catch((error: unknown) => {
    if (webCodecs === loading) webCodecs = undefined;
    throw new DatasetError(webCodecsMissingMessage(where, error));
  });
}

function checkFrames(frames: readonly RgbImage[], where: string): { width: number; height: number } {
  const first = frames[0];
  if (first === undefined) throw new DatasetError(`${where}: no frames to encode`);
  const { width, height } = first;
  if (width % 2 !== 0 || height % 2 !== 0 || width < 2 || height < 2)
    throw new DatasetError(
      `${where}: H.264 (yuv420p) needs even frame sizes, got ${width}x${height}; store PNG frames instead`,
    );
  frames.forEach((frame, i) => {
    if (frame.width !== width || frame.height !== height || frame.data.length !== width * height * 3)
      throw new DatasetError(
        `${where}: frame ${i} is ${frame.width}x${frame.height} (${frame.data.length} bytes), expected RGB ${width}x${height}`,
      );
  });
  return { width, height };
}

/**
 * Encodes RGB frames as an H.264 MP4 (yuv420p, `faststart`), the way LeRobot stores camera streams:
 * one video per camera and episode, frame i at time i / fps. Encoding is native (FFmpeg's libx264 inside
 * `@napi-rs/webcodecs`), about a millisecond per 64×64 frame.
 *
 * Opt-in: `@napi-rs/webcodecs` is an optional peer dependency (its binary links GPL-2.0-or-later libx264);
 * without it this throws a {@link DatasetError} saying how to install it.
 *
 * @example
 * const mp4 = await encodeMp4(episode.images.image, { fps: 20 });
 */
export async function encodeMp4(
  frames: readonly RgbImage[],
  options: Mp4EncodeOptions,
  where = 'encodeMp4',
): Promise<Uint8Array> {
  const { width, height } = checkFrames(frames, where);
  const { fps } = options;
  if (!(fps > 0)) throw new DatasetError(`${where}: fps must be > 0, got ${fps}`);
  return withDeadline(() => encodeOnce(frames, options, width, height, where), where, 'H.264 encoding');
}

async function encodeOnce(
  frames: readonly RgbImage[],
  options: Mp4EncodeOptions,
  width: number,
  height: number,
  where: string,
): Promise<Uint8Array> {
  const { fps } = options;
  const keyFrameInterval = options.keyFrameInterval ?? 2;
  const { Mp4Muxer, VideoEncoder, VideoFrame } = await loadWebCodecs(where);
  const muxer = new Mp4Muxer({ fastStart: true });
  muxer.addVideoTrack({ codec: MP4_CODEC, width, height });
  let failure: Error | undefined;
  const encoder = new VideoEncoder({
    output: (chunk, metadata) => muxer.addVideoChunk(chunk, metadata),
    error: (error) => {
      failure = error;
    },
  });
  try {
    encoder.configure({
      codec: MP4_CODEC,
      width,
      height,
      framerate: fps,
      bitrate: Math.max(32_000, Math.round(width * height * fps * (options.bitsPerPixel ?? 1))),
    });
    const rgba = new Uint8Array(width * height * 4);
    const frameUs = 1e6 / fps;
    frames.forEach((frame, i) => {
      for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
        rgba[p] = frame.data[q];
        rgba[p + 1] = frame.data[q + 1];
        rgba[p + 2] = frame.data[q + 2];
        rgba[p + 3] = 255;
      }
      const videoFrame = new VideoFrame(rgba, {
        format: 'RGBA',
        codedWidth: width,
        codedHeight: height,
        timestamp: Math.round(i * frameUs),
        duration: Math.round(frameUs),
      });
      encoder.encode(videoFrame, { keyFrame: i % keyFrameInterval === 0 });
      videoFrame.close();
    });
    await encoder.flush();
    if (failure) throw failure;
    return new Uint8Array(muxer.finalize());
  } catch (error) {
    throw new DatasetError(`${where}: H.264 encoding failed: ${(error as Error).message}`);
  } finally {
    if (encoder.state !== 'closed') encoder.close();
    muxer.close();
  }
}

/**
 * Seen once on a machine under heavy load: a native codec call that never settled. Each attempt gets
 * {@link CODEC_DEADLINE_MS} (a video of an episode takes milliseconds); a stalled attempt is abandoned and
 * retried once with fresh codec objects, and a second stall is an error rather than a hang.
 */
export const CODEC_DEADLINE_MS = 60_000;

async function withDeadline<T>(run: () => Promise<T>, where: string, what: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      timer = setTimeout(() => resolve('stalled'), CODEC_DEADLINE_MS);
    });
    try {
      const result = await Promise.race([run(), stalled]);
      if (result !== 'stalled') return result;
    } finally {
      clearTimeout(timer);
    }
    if (attempt === 2)
      throw new DatasetError(`${where}: ${what} did not finish within ${CODEC_DEADLINE_MS / 1000} s, twice`);
  }
}

/** H.264 `level_idc` values whose codec strings the decoder accepts (levels 1 to 6.2). */
const AVC_LEVELS = new Set([10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52, 60, 61, 62]);

/**
 * libx264 marks small videos level 1b (`level_idc` 9), which @napi-rs/webcodecs' decoder rejects as a
 * codec string although FFmpeg decodes the stream; the level is only a hint, so such strings are sent
 * with level 1.1, its equivalent.
 */
export function decodableCodec(codec: string): string {
  const avc = /^(avc[13]\.[0-9a-fA-F]{4})([0-9a-fA-F]{2})$/.exec(codec);
  if (!avc || AVC_LEVELS.has(Number.parseInt(avc[2], 16))) return codec;
  return `${avc[1]}0b`;
}

/**
 * Decodes the video track of an MP4 (H.264, HEVC, AV1, VP9: what FFmpeg inside `@napi-rs/webcodecs`
 * decodes) to RGB frames in presentation order. Needs the optional peer dependency `@napi-rs/webcodecs`, as
 * {@link encodeMp4} does.
 */
export async function decodeMp4(bytes: Uint8Array, where = 'decodeMp4'): Promise<DecodedVideo> {
  return withDeadline(() => decodeOnce(bytes, where), where, 'MP4 decoding');
}

async function decodeOnce(bytes: Uint8Array, where: string): Promise<DecodedVideo> {
  const { Mp4Demuxer, VideoDecoder } = await loadWebCodecs(where);
  const decoded: { timestamp: number; image: RgbImage }[] = [];
  const copies: Promise<void>[] = [];
  let failure: Error | undefined;
  const decoder = new VideoDecoder({
    output: (frame) => {
      const width = frame.codedWidth;
      const height = frame.codedHeight;
      const rgba = new Uint8Array(width * height * 4);
      const timestamp = frame.timestamp;
      copies.push(
        frame.copyTo(rgba, { format: 'RGBA' }).then(() => {
          frame.close();
          const data = new Uint8Array(width * height * 3);
          for (let p = 0, q = 0; q < data.length; p += 4, q += 3) {
            data[q] = rgba[p];
            data[q + 1] = rgba[p + 1];
            data[q + 2] = rgba[p + 2];
          }
          decoded.push({ timestamp, image: { width, height, data } });
        }),
      );
    },
    error: (error) => {
      failure = error;
    },
  });
  const chunks: Parameters<typeof decoder.decode>[0][] = [];
  const demuxer = new Mp4Demuxer({
    videoOutput: (chunk) => chunks.push(chunk),
    error: (error) => {
      failure = error;
    },
  });
  try {
    await demuxer.loadBuffer(bytes);
    const config = demuxer.videoDecoderConfig;
    if (!config) throw new Error('no video track');
    decoder.configure({ ...config, codec: decodableCodec(config.codec) });
    await demuxer.demuxAsync();
    for (const chunk of chunks) decoder.decode(chunk);
    await decoder.flush();
    await Promise.all(copies);
    if (failure) throw failure;
    decoded.sort((a, b) => a.timestamp - b.timestamp);
    return {
      frames: decoded.map((d) => d.image),
      codec: config.codec,
      timestamps: Float64Array.from(decoded, (d) => d.timestamp / 1e6),
    };
  } catch (error) {
    throw new DatasetError(`${where}: cannot decode MP4: ${(error as Error).message}`);
  } finally {
    if (decoder.state !== 'closed') decoder.close();
    demuxer.close();
  }
}
