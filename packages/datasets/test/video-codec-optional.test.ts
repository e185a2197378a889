import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RobotEpisode } from '../src/episode.js';
import { webCodecsMissingMessage } from '../src/video-codec.js';

// @napi-rs/webcodecs is an optional peer dependency: without it, MP4 work fails with an error that names the
// package, how to install it, what it brings and its licence, and PNG frames still work.

function notInstalled(): Error {
  return Object.assign(
    new Error("Cannot find package '@napi-rs/webcodecs' imported from /x/video-codec.js"),
    {
      code: 'ERR_MODULE_NOT_FOUND',
    },
  );
}

const frame = { width: 16, height: 16, data: new Uint8Array(16 * 16 * 3) };
const episode: RobotEpisode = {
  index: 0,
  instruction: 'push',
  fps: 10,
  length: 2,
  actions: Float32Array.of(0.1, 0.2),
  actionDim: 1,
  images: { front: [frame, frame] },
};

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'datasets-no-codec-'));
  vi.resetModules();
  vi.doMock('@napi-rs/webcodecs', () => {
    throw notInstalled();
  });
});
afterAll(async () => {
  vi.doUnmock('@napi-rs/webcodecs');
  vi.resetModules();
  await rm(tmp, { recursive: true, force: true });
});

const expected = [
  /MP4 video needs the optional peer dependency @napi-rs\/webcodecs/,
  /npm install @napi-rs\/webcodecs@1\.3\.1/,
  /H\.264 MP4 encoding and decoding, the way LeRobot stores camera videos/,
  /links FFmpeg with libx264 \(GPL-2\.0-or-later\)/,
  /frames: 'png', the default/,
];

describe('without @napi-rs/webcodecs', () => {
  it('the message says the package is not installed, how to install it, what it brings and its licence', () => {
    const message = webCodecsMissingMessage('encodeMp4', notInstalled());
    expect(message).toMatch(/^encodeMp4: .*@napi-rs\/webcodecs, which is not installed\./);
    for (const pattern of expected) expect(message).toMatch(pattern);
    expect(webCodecsMissingMessage('decodeMp4', new Error('no native binding'))).toMatch(
      /which could not be loaded \(no native binding\)/,
    );
  });

  it('encodeMp4, decodeMp4 and the MP4 writer throw it; PNG frames need no codec', async () => {
    const { encodeMp4, decodeMp4 } = await import('../src/video-codec.js');
    const { writeLeRobotDataset } = await import('../src/lerobot-writer.js');
    const { readLeRobotDataset } = await import('../src/lerobot-reader.js');
    const { DatasetError } = await import('../src/errors.js'); // the module graph was reset: this run's class
    await expect(encodeMp4([frame], { fps: 10 })).rejects.toBeInstanceOf(DatasetError);
    await expect(encodeMp4([frame], { fps: 10 })).rejects.toThrow(/which is not installed\./);
    for (const pattern of expected) await expect(encodeMp4([frame], { fps: 10 })).rejects.toThrow(pattern);
    await expect(decodeMp4(new Uint8Array(8), 'a.mp4')).rejects.toThrow(/^a\.mp4: MP4 video needs/);
    await expect(
      writeLeRobotDataset(join(tmp, 'mp4'), [episode], { robotType: 'toy', frames: 'mp4' }),
    ).rejects.toThrow(/episode 0: observation\.images\.front: MP4 video needs .*@napi-rs\/webcodecs/);
    const png = await writeLeRobotDataset(join(tmp, 'png'), [episode], { robotType: 'toy' });
    expect(png.info.features['observation.images.front'].dtype).toBe('image');
    const read = await readLeRobotDataset(join(tmp, 'png'));
    expect(read.episodes[0].images?.front).toHaveLength(2);

    // A dataset whose camera is a `video` feature: reading it decodes MP4, so it needs the codec too.
    const infoPath = join(tmp, 'png', 'meta', 'info.json');
    const info = JSON.parse(await readFile(infoPath, 'utf8'));
    info.features['observation.images.front'].dtype = 'video';
    info.video_path = 'videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4';
    await writeFile(infoPath, JSON.stringify(info));
    const video = join(tmp, 'png', 'videos', 'chunk-000', 'observation.images.front', 'episode_000000.mp4');
    await mkdir(dirname(video), { recursive: true });
    await writeFile(video, new Uint8Array(8));
    await expect(readLeRobotDataset(join(tmp, 'png'))).rejects.toThrow(
      /episode_000000\.mp4: MP4 video needs .*@napi-rs\/webcodecs, which is not installed/,
    );
    const withoutVideos = await readLeRobotDataset(join(tmp, 'png'), { decodeImages: false });
    expect(withoutVideos.skippedVideoKeys).toEqual(['observation.images.front']);
  });
});
