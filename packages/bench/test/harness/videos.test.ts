import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/harness/evaluate.js';
import { RolloutFrames } from '../../src/harness/rollout-frames.js';
import { ClaimBoard, chainClaims, episodeClaim, parseVideoMode } from '../../src/harness/video-selection.js';
import type { Observation, Policy } from '../../src/types.js';

const isWebp = (bytes: Uint8Array) =>
  new TextDecoder().decode(bytes.subarray(0, 4)) === 'RIFF' &&
  new TextDecoder().decode(bytes.subarray(8, 12)) === 'WEBP';

describe('ClaimBoard', () => {
  it('keeps the lowest score per slot, whatever the order of claims', () => {
    const board = ClaimBoard.create(4);
    expect(board.claim(1, 7)).toBe(true);
    expect(board.claim(1, 9)).toBe(false);
    expect(board.claim(1, 3)).toBe(true);
    expect(board.claim(1, 3)).toBe(false);
    expect(board.claim(0, 9)).toBe(true);
    // A second view of the same shared memory (another worker) sees the same board.
    const other = new ClaimBoard(board.buffer);
    expect(other.claim(1, 4)).toBe(false);
    expect(other.claim(1, 2)).toBe(true);
  });

  it('scores episodes by trial per (task, outcome) and chains by length, ties to the lower chain', () => {
    expect(episodeClaim(3, 5, true)).toEqual({ slot: 6, score: 5, role: 'success' });
    expect(episodeClaim(3, 5, false)).toEqual({ slot: 7, score: 5, role: 'failure' });
    const [longest4, shortest4] = chainClaims(4, 4, 5);
    const [longest2, shortest2] = chainClaims(2, 1, 5);
    expect(longest4.score).toBeLessThan(longest2.score);
    expect(shortest2.score).toBeLessThan(shortest4.score);
    expect(chainClaims(9, 3, 5)[0].score).toBeGreaterThan(chainClaims(8, 3, 5)[0].score);
  });

  it('parses the modes and rejects others', () => {
    expect(parseVideoMode('failures')).toBe('failures');
    expect(() => parseVideoMode('some')).toThrow(
      /videos must be one of none, failures, sample, all, got "some"/,
    );
  });
});

describe('RolloutFrames', () => {
  const image = (value: number) => ({ width: 2, height: 1, data: new Uint8Array(6).fill(value) });
  const observation = (agent: number, wrist: number, instruction = 'go'): Observation => ({
    image: image(agent),
    wristImage: image(wrist),
    state: new Float64Array(8),
    instruction,
  });

  it('composes agent view | wrist view per frame and skips a repeated render', () => {
    const frames = new RolloutFrames();
    const first = observation(1, 2);
    frames.push(first);
    frames.push(first);
    frames.push(observation(3, 4, 'next'));
    expect(frames.length).toBe(2);
    expect(frames.instructionAt(1)).toBe('next');
    const raster = frames.sideBySide();
    expect(raster).toMatchObject({ width: 4, height: 1, frames: 2 });
    expect([...raster.data]).toEqual([
      1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4,
    ]);
    frames.clear();
    expect(frames.length).toBe(0);
  });
});

describe('evaluate with videos', () => {
  it('none (the default) captures nothing', async () => {
    const report = await evaluate('random', 'libero-goal', { trials: 1, tasks: [0], workers: 0 });
    expect(report.videos).toBeUndefined();
    expect(report.meta.run?.videos).toBe('none');
  });

  it('sample keeps per task the first success, across worker threads', async () => {
    const report = await evaluate('expert', 'libero-goal', {
      trials: 3,
      tasks: [0, 2],
      workers: 2,
      videos: 'sample',
    });
    const videos = report.videos ?? [];
    expect(videos.map((v) => [v.taskIndex, v.trial, v.roles])).toEqual([
      [0, 0, ['success']],
      [2, 0, ['success']],
    ]);
    for (const v of videos) {
      expect(isWebp(v.webp)).toBe(true);
      expect(v.width).toBe(128);
      expect(v.height).toBe(64);
      // The expert is filmed every 5 steps, plus the final state.
      expect(v.frames).toBe(Math.ceil(v.steps / 5) + 1);
      expect(v.durationMs).toBeGreaterThan(0);
    }
  });

  it('failures keeps every failed episode of an in-process policy, with the frames it was shown', async () => {
    let queries = 0;
    const still: Policy = {
      act: () => {
        queries++;
        return { horizon: 10, actions: new Float32Array(70) };
      },
    };
    const report = await evaluate(still, 'libero-object', { trials: 2, tasks: [1], videos: 'failures' });
    const videos = report.videos ?? [];
    expect(videos.map((v) => [v.trial, v.roles, v.success])).toEqual([
      [0, ['failure'], false],
      [1, ['failure'], false],
    ]);
    // One frame per policy query and the final state.
    expect(videos[0].frames + videos[1].frames).toBe(queries + 2);
  });

  it('sample keeps the longest and the shortest chain', async () => {
    const report = await evaluate('random', 'calvin', { chains: 3, workers: 0, videos: 'sample' });
    const videos = report.videos ?? [];
    expect(videos.flatMap((v) => v.roles).sort()).toEqual(['longest', 'shortest']);
    for (const v of videos) {
      expect(v.kind).toBe('chain');
      expect(v.instructions).toHaveLength(Math.min(5, (v.completed ?? 0) + 1));
    }
  });
});
