import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RobotEpisode } from '../src/episode.js';
import { readLeRobotDataset } from '../src/lerobot-reader.js';
import { writeLeRobotDataset } from '../src/lerobot-writer.js';
import type { RgbImage } from '../src/rgb-image.js';
import { decodableCodec, decodeMp4, encodeMp4 } from '../src/video-codec.js';

/** A smooth moving scene (a square on a gradient): what video codecs are built for. */
function movingSquare(width: number, height: number, t: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inside = Math.abs(x - 8 - 2 * t) < 6 && Math.abs(y - height / 2) < 6;
      data[i] = inside ? 220 : 40 + 2 * x;
      data[i + 1] = inside ? 40 : 60 + 2 * y;
      data[i + 2] = inside ? 40 : 120;
    }
  }
  return { width, height, data };
}

function meanAbsError(a: RgbImage, b: RgbImage): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'datasets-video-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('encodeMp4 / decodeMp4', () => {
  const frames = Array.from({ length: 24 }, (_, t) => movingSquare(48, 32, t));

  it('round-trips every frame in order at its timestamp, close to the original', async () => {
    const mp4 = await encodeMp4(frames, { fps: 20 });
    expect(new TextDecoder().decode(mp4.subarray(4, 8))).toBe('ftyp');
    const video = await decodeMp4(mp4);
    expect(video.codec).toMatch(/^avc1\./);
    expect(video.frames).toHaveLength(24);
    expect([...video.timestamps.slice(0, 3)]).toEqual([0, 0.05, 0.1]);
    video.frames.forEach((frame, t) => {
      expect(frame).toMatchObject({ width: 48, height: 32 });
      // Lossy, but each frame is its own: closer to its original than to a frame 6 steps away.
      expect(meanAbsError(frame, frames[t])).toBeLessThan(4);
      if (t + 6 < 24)
        expect(meanAbsError(frame, frames[t + 6])).toBeGreaterThan(meanAbsError(frame, frames[t]));
    });
  });

  it('refuses odd sizes, mixed sizes and empty input, naming the frame', async () => {
    await expect(encodeMp4([movingSquare(15, 16, 0)], { fps: 20 })).rejects.toThrow(
      /even frame sizes, got 15x16/,
    );
    await expect(encodeMp4([movingSquare(16, 16, 0), movingSquare(18, 16, 0)], { fps: 20 })).rejects.toThrow(
      /frame 1 is 18x16/,
    );
    await expect(encodeMp4([], { fps: 20 })).rejects.toThrow(/no frames/);
    await expect(encodeMp4(frames, { fps: 0 })).rejects.toThrow(/fps must be > 0/);
    await expect(decodeMp4(new Uint8Array([1, 2, 3]), 'bad.mp4')).rejects.toThrow(
      /bad.mp4: cannot decode MP4/,
    );
  });

  it('sends level-1b H.264 codec strings to the decoder as level 1.1', () => {
    expect(decodableCodec('avc1.640009')).toBe('avc1.64000b');
    expect(decodableCodec('avc1.64001F')).toBe('avc1.64001F');
    expect(decodableCodec('vp09.00.10.08')).toBe('vp09.00.10.08');
  });
});

describe('writeLeRobotDataset with frames: mp4', () => {
  it('writes one video per camera and episode at video_path and reads the frames back', async () => {
    const episodes: RobotEpisode[] = [10, 7].map((length, index) => ({
      index,
      instruction: `task ${index}`,
      fps: 20,
      length,
      actions: new Float32Array(length * 2).fill(index),
      actionDim: 2,
      images: { front: Array.from({ length }, (_, t) => movingSquare(32, 24, t + index)) },
    }));
    const root = join(tmp, 'mp4');
    const { info } = await writeLeRobotDataset(root, episodes, { robotType: 'test', frames: 'mp4' });
    expect(info.total_videos).toBe(2);
    expect(info.features['observation.images.front']).toMatchObject({ dtype: 'video', shape: [24, 32, 3] });
    const file = join(root, 'videos', 'chunk-000', 'observation.images.front', 'episode_000001.mp4');
    expect((await decodeMp4(new Uint8Array(await readFile(file)))).frames).toHaveLength(7);
    const back = await readLeRobotDataset(root);
    back.episodes.forEach((e, i) => {
      expect(e.images?.front).toHaveLength(episodes[i].length);
      expect(
        meanAbsError(e.images?.front[3] as RgbImage, episodes[i].images?.front[3] as RgbImage),
      ).toBeLessThan(8);
    });
    await expect(
      writeLeRobotDataset(join(tmp, 'bad'), episodes, { robotType: 'test', frames: 'gif' as 'png' }),
    ).rejects.toThrow(/frames must be 'png' or 'mp4', got gif/);
  });
});
