import { describe, expect, it } from 'vitest';
import { activeActionDims, chunkEpisode, chunkEpisodes } from '../src/chunk-episode.js';
import { DatasetError } from '../src/errors.js';

/** Rows of a chunk as plain arrays, for readable expectations. */
function rows(chunk: Float32Array | Float64Array, dim: number): number[][] {
  return Array.from({ length: chunk.length / dim }, (_, t) =>
    Array.from(chunk.subarray(t * dim, (t + 1) * dim)),
  );
}

// 5 steps of 2-D actions: row t is [t, 10 t].
const episode = Float64Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? i / 2 : 5 * i - 5));

describe('chunkEpisode', () => {
  it('slides a window of horizon steps by stride, dropping windows that run past the end', () => {
    const chunks = chunkEpisode(episode, 5, 2, { horizon: 3, stride: 1 });
    expect(chunks.map((c) => rows(c, 2))).toEqual([
      [
        [0, 0],
        [1, 10],
        [2, 20],
      ],
      [
        [1, 10],
        [2, 20],
        [3, 30],
      ],
      [
        [2, 20],
        [3, 30],
        [4, 40],
      ],
    ]);
    expect(chunks[0]).toBeInstanceOf(Float64Array);
  });

  it('with stride = horizon gives non-overlapping chunks and drops the incomplete tail', () => {
    const chunks = chunkEpisode(episode, 5, 2, { horizon: 2, stride: 2 });
    expect(chunks.map((c) => rows(c, 2))).toEqual([
      [
        [0, 0],
        [1, 10],
      ],
      [
        [2, 20],
        [3, 30],
      ],
    ]);
  });

  it("with pad 'repeat-last' starts a window at every step and repeats the last action past the end", () => {
    const actions = Float32Array.from(episode);
    const chunks = chunkEpisode(actions, 5, 2, { horizon: 3, pad: 'repeat-last' });
    expect(chunks).toHaveLength(5);
    expect(chunks[3]).toBeInstanceOf(Float32Array);
    expect(rows(chunks[3], 2)).toEqual([
      [3, 30],
      [4, 40],
      [4, 40],
    ]);
    expect(rows(chunks[4], 2)).toEqual([
      [4, 40],
      [4, 40],
      [4, 40],
    ]);
    // A window longer than the whole episode still holds the episode, then its last action.
    expect(rows(chunkEpisode(actions, 5, 2, { horizon: 7, stride: 10, pad: 'repeat-last' })[0], 2)).toEqual([
      [0, 0],
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
      [4, 40],
      [4, 40],
    ]);
  });

  it('copies: changing a chunk leaves the episode as it was', () => {
    const [first] = chunkEpisode(episode, 5, 2, { horizon: 2 });
    first[0] = 99;
    expect(episode[0]).toBe(0);
  });

  it('gives no chunk for an episode shorter than the horizon, unless padded', () => {
    expect(chunkEpisode(episode, 5, 2, { horizon: 6 })).toEqual([]);
    expect(chunkEpisode(new Float64Array(0), 0, 2, { horizon: 2, pad: 'repeat-last' })).toEqual([]);
  });

  it('names what is wrong with the shape or the options', () => {
    expect(() => chunkEpisode(episode, 4, 2, { horizon: 2 })).toThrow(
      'chunkEpisode: expected [4, 2] actions, got 10 values',
    );
    expect(() => chunkEpisode(episode, 5, 2, { horizon: 0 })).toThrow(DatasetError);
    expect(() => chunkEpisode(episode, 5, 2, { horizon: 2, stride: 1.5 })).toThrow(
      'stride must be an integer >= 1, got 1.5',
    );
  });
});

describe('chunkEpisodes', () => {
  it('chunks each episode in turn, its length taken from its size', () => {
    const second = Float64Array.of(7, 70, 8, 80);
    const chunks = chunkEpisodes([episode, second], 2, { horizon: 2, stride: 2 });
    expect(chunks.map((c) => rows(c, 2))).toEqual([
      [
        [0, 0],
        [1, 10],
      ],
      [
        [2, 20],
        [3, 30],
      ],
      [
        [7, 70],
        [8, 80],
      ],
    ]);
  });

  it('names the episode whose size is not a whole number of rows', () => {
    expect(() => chunkEpisodes([episode, Float64Array.of(1, 2, 3)], 2, { horizon: 1 })).toThrow(
      'chunkEpisodes: episode 1: 3 values do not divide into rows of 2',
    );
  });
});

describe('activeActionDims', () => {
  it('marks the dimensions any episode moves, by column', () => {
    const a = Float32Array.from([0, 0.5, 0, 0, 0, 0]); // 2 steps × 3: only dim 1 moves
    const b = Float32Array.from([0, 0, 0, 0, 0, -1]); // dim 2 moves at step 2
    expect(activeActionDims([a, b], 3)).toEqual([false, true, true]);
    expect(activeActionDims([a], 3)).toEqual([false, true, false]);
    expect(activeActionDims([], 2)).toEqual([false, false]);
  });

  it('names the episode whose length does not divide into rows', () => {
    expect(() => activeActionDims([new Float32Array(6), new Float32Array(5)], 3)).toThrow(
      /episode 1: 5 values/,
    );
    expect(() => activeActionDims([], 0)).toThrow(/dim must be an integer/);
  });
});
