import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RobotEpisode } from '../src/episode.js';
import { readBridgeEpisodes } from '../src/rlds-bridge.js';

const SHARED = resolve(import.meta.dirname, '../../../../shared');
const BRIDGE = join(SHARED, 'data', 'bridge-debug');
const SHARD = join(BRIDGE, 'bridge_dataset-train.tfrecord-00000-of-00001');
if (!existsSync(BRIDGE)) console.warn(`[datasets] ${BRIDGE} is absent: skipping the BridgeData V2 tests`);

interface ActionsJson {
  dims: string[];
  episodes: number[][][];
}

describe.skipIf(!existsSync(BRIDGE))('readBridgeEpisodes on the BridgeData V2 debug shard', () => {
  let episodes: RobotEpisode[];
  let reference: ActionsJson;
  beforeAll(async () => {
    episodes = await readBridgeEpisodes(BRIDGE);
    reference = JSON.parse(await readFile(join(BRIDGE, 'actions.json'), 'utf8')) as ActionsJson;
  });

  it('reads 25 episodes of 10 steps with 7-D actions and 7-D states at 5 Hz', () => {
    expect(episodes).toHaveLength(25);
    episodes.forEach((episode, i) => {
      expect(episode.index).toBe(i);
      expect(episode.length).toBe(10);
      expect(episode.actionDim).toBe(7);
      expect(episode.actions).toHaveLength(70);
      expect(episode.stateDim).toBe(7);
      expect(episode.states).toHaveLength(70);
      expect(episode.fps).toBe(5);
    });
  });

  it('has the actions of actions.json, to float32 precision', () => {
    expect(reference.dims).toEqual(['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper']);
    expect(reference.episodes).toHaveLength(25);
    let compared = 0;
    episodes.forEach((episode, e) => {
      reference.episodes[e].forEach((row, t) => {
        expect(row).toHaveLength(7);
        row.forEach((value, d) => {
          expect(episode.actions[t * 7 + d]).toBe(Math.fround(value));
          compared++;
        });
      });
    });
    expect(compared).toBe(25 * 10 * 7);
  });

  it('decodes four 64x64 RGB cameras with real pixels in image_0..2 (image_3 is an all-black placeholder)', () => {
    for (const episode of episodes) {
      expect(Object.keys(episode.images ?? {}).sort()).toEqual(['image_0', 'image_1', 'image_2', 'image_3']);
      for (const frames of Object.values(episode.images!)) {
        expect(frames).toHaveLength(10);
        for (const frame of frames) {
          expect([frame.width, frame.height, frame.data.length]).toEqual([64, 64, 64 * 64 * 3]);
        }
      }
    }
    const stats = (camera: string) => {
      let sum = 0;
      let squares = 0;
      let n = 0;
      for (const episode of episodes) {
        for (const { data } of episode.images![camera]) {
          for (const v of data) {
            sum += v;
            squares += v * v;
            n++;
          }
        }
      }
      const mean = sum / n;
      return { mean, std: Math.sqrt(squares / n - mean * mean) };
    };
    for (const camera of ['image_0', 'image_1', 'image_2']) {
      const { mean, std } = stats(camera);
      expect(mean).toBeGreaterThan(60);
      expect(mean).toBeLessThan(200);
      expect(std).toBeGreaterThan(20);
    }
    expect(stats('image_3')).toEqual({ mean: 0, std: 0 });
  });

  it('has non-empty instructions drawn from the shard tasks', () => {
    for (const episode of episodes) expect(episode.instruction.length).toBeGreaterThan(0);
    expect(episodes[0].instruction).toBe('put cup from counter or drying rack into sink');
    expect(new Set(episodes.map((e) => e.instruction)).size).toBe(4);
  });

  it('honours cameras and decodeImages options', async () => {
    const some = await readBridgeEpisodes([SHARD], { cameras: ['image_0'] });
    expect(Object.keys(some[3].images!)).toEqual(['image_0']);
    expect(some[3].images!.image_0[4].data).toEqual(episodes[3].images!.image_0[4].data);
    const none = await readBridgeEpisodes([SHARD], { decodeImages: false });
    expect(none[0].images).toBeUndefined();
    await expect(readBridgeEpisodes([SHARD], { cameras: ['wrist'] })).rejects.toThrow(
      /record 0 at byte offset 0: missing feature steps\/observation\/wrist/,
    );
  });

  describe('on a tampered copy', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bench-bridge-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reports a data CRC mismatch naming the file and byte offset', async () => {
      const bytes = new Uint8Array(await readFile(SHARD));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const second = 12 + Number(view.getBigUint64(0, true)) + 4; // start of record 1
      const tampered = join(dir, 'tampered.tfrecord');
      bytes[second + 12 + 100] ^= 0x01;
      await writeFile(tampered, bytes);
      await expect(readBridgeEpisodes([tampered])).rejects.toThrow(
        `${tampered}: record 1 at byte offset ${second}: data CRC mismatch`,
      );
    });

    it('reads an untouched copy from a directory', async () => {
      const copyDir = await mkdtemp(join(dir, 'copy-'));
      await copyFile(SHARD, join(copyDir, 'x.tfrecord-00000-of-00001'));
      expect(await readBridgeEpisodes(copyDir, { decodeImages: false })).toHaveLength(25);
    });
  });
});
