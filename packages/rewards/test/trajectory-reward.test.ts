import { describe, expect, it } from 'vitest';
import { type RewardArgs, trajectoryRewardFunction } from '../src/batch.js';
import {
  imageScale,
  parseTrajectory,
  type TrajectoryPoint,
  trajectoryAccuracy,
  trajectoryReward,
  trajectoryRewardParts,
} from '../src/trajectory-reward.js';

const answer = (list: string) => `<think>down and to the right</think>\n<answer>${list}</answer>`;

describe('parseTrajectory', () => {
  const table: Array<[string, string, Array<[number, number]> | null]> = [
    [
      'plain list',
      '[(12,30),(13,29),(15,27)]',
      [
        [12, 30],
        [13, 29],
        [15, 27],
      ],
    ],
    [
      'white space between tokens',
      '[ ( 12 , 30 ) ,\n(13,29) ]',
      [
        [12, 30],
        [13, 29],
      ],
    ],
    [
      'negative numbers',
      '[(-3,4),(5,-60)]',
      [
        [-3, 4],
        [5, -60],
      ],
    ],
    ['trailing comma', '[(1,2),]', [[1, 2]]],
    ['one point', 'go to [(7,8)] then stop', [[7, 8]]],
    [
      'inside the answer block',
      answer('the path is [(1,2),(3,4)]'),
      [
        [1, 2],
        [3, 4],
      ],
    ],
    // with an answer block only the block is searched
    ['list only in the reasoning', '<think>[(1,2)]</think><answer>down</answer>', null],
    ['answer list wins over reasoning list', '<think>[(1,2)]</think><answer>[(5,6)]</answer>', [[5, 6]]],
    ['first of two lists', '[(1,2)] or [(3,4)]', [[1, 2]]],
    // a list with a malformed pair is not a list of integer pairs, so the next one is taken
    ['malformed list skipped', '[(1,2),(3.5,4)] [(9,9)]', [[9, 9]]],
    [
      'nested brackets',
      '[[(1,2),(3,4)]]',
      [
        [1, 2],
        [3, 4],
      ],
    ],
    ['empty list', '[]', null],
    ['no brackets', '(1,2),(3,4)', null],
    ['decimals', '[(1.5,2)]', null],
    ['three numbers', '[(1,2,3)]', null],
    ['words', answer('move down and right'), null],
    ['unclosed list', '[(1,2),(3,4)', null],
    ['coordinate beyond a safe integer', '[(1,99999999999999999999)]', null],
    ['empty text', '', null],
  ];
  it.each(table)('%s', (_name, text, want) => {
    expect(parseTrajectory(text)).toEqual(want);
  });
});

describe('imageScale', () => {
  it('is the side of a square image, the longer side otherwise', () => {
    expect(imageScale({ imageSize: 48 })).toBe(48);
    expect(imageScale({ width: 64, height: 48 })).toBe(64);
    expect(imageScale({ width: 48, height: 64 })).toBe(64);
  });
});

describe('trajectoryAccuracy', () => {
  const target: TrajectoryPoint[] = [
    [12, 30],
    [13, 29],
    [15, 27],
  ];
  const size = { imageSize: 48 };
  const table: Array<[string, string, number]> = [
    ['exact', answer('[(12,30),(13,29),(15,27)]'), 1],
    ['exact, bare text', '[(12,30),(13,29),(15,27)]', 1],
    // every point off by (3, 4): distance √(9 + 16) = 5, normalized 5/48, accuracy 1 - 5/48
    ['every point off by (3, 4)', answer('[(15,34),(16,33),(18,31)]'), 1 - 5 / 48],
    // off by (3, 4), exact, off by (0, 6): (5/48 + 0 + 6/48) / 3 = 11/144
    ['mixed errors', answer('[(9,26),(13,29),(15,33)]'), 1 - 11 / 144],
    // two exact points, the third missing counts 1: mean (0 + 0 + 1) / 3
    ['one point short', answer('[(12,30),(13,29)]'), 1 - 1 / 3],
    // off by (3, 4), then two missing: (5/48 + 1 + 1) / 3
    ['two points short', answer('[(15,34)]'), 1 - (5 / 48 + 2) / 3],
    // the fourth predicted point is ignored, however far off
    ['one point too many', answer('[(12,30),(13,29),(15,27),(999,-999)]'), 1],
    ['unparsable', answer('down and right'), 0],
    ['no list in the answer', '<think>[(12,30),(13,29),(15,27)]</think><answer>see above</answer>', 0],
  ];
  it.each(table)('%s', (_name, completion, want) => {
    expect(trajectoryAccuracy(completion, target, size)).toBeCloseTo(want, 15);
  });

  it('handles negative coordinates in the target and the prediction', () => {
    // (0,0) vs (-3,-4): distance 5; (0,0) vs (0,0): 0; mean (5/48 + 0) / 2 = 5/96
    expect(
      trajectoryAccuracy(
        answer('[(0,0),(0,0)]'),
        [
          [-3, -4],
          [0, 0],
        ],
        size,
      ),
    ).toBeCloseTo(1 - 5 / 96, 15);
    // (-6,-8) vs (0,0): distance 10, accuracy 1 - 10/48
    expect(trajectoryAccuracy(answer('[(-6,-8)]'), [[0, 0]], size)).toBeCloseTo(1 - 10 / 48, 15);
  });

  it('clips each point at normalized distance 1', () => {
    // (480,0) vs (0,0): 480/48 = 10, clipped to 1; mean (0 + 1) / 2 = 0.5
    const far: TrajectoryPoint[] = [
      [0, 0],
      [0, 0],
    ];
    expect(trajectoryAccuracy(answer('[(0,0),(480,0)]'), far, size)).toBe(0.5);
    // (6,8) vs (0,0) on a 10-pixel image: 10/10 = 1, accuracy 0
    expect(trajectoryAccuracy(answer('[(6,8)]'), [[0, 0]], { imageSize: 10 })).toBe(0);
  });

  it('divides by the longer side of a rectangular image', () => {
    // (6,8) vs (0,0): distance 10, 64×48 image → 10/64, accuracy 1 - 10/64 = 0.84375
    expect(trajectoryAccuracy(answer('[(6,8)]'), [[0, 0]], { width: 64, height: 48 })).toBe(0.84375);
  });

  it('throws on an empty or malformed target and a bad image size, naming them', () => {
    const text = answer('[(1,2)]');
    expect(() => trajectoryAccuracy(text, [], size)).toThrow(/target trajectory is empty/);
    expect(() => trajectoryAccuracy(text, [[1, Number.NaN]], size)).toThrow(
      /target trajectory: point 0 is \[1, NaN\], not an \[x, y\] pair/,
    );
    expect(() => trajectoryAccuracy(text, [[1, 2], [3] as unknown as TrajectoryPoint], size)).toThrow(
      /target trajectory: point 1 is \[3\]/,
    );
    expect(() => trajectoryAccuracy(text, [[1, 2]], { imageSize: 0 })).toThrow(
      /imageSize must be a positive number of pixels, got 0/,
    );
    expect(() => trajectoryAccuracy(text, [[1, 2]], { imageSize: -48 })).toThrow(/imageSize .* got -48/);
    expect(() => trajectoryAccuracy(text, [[1, 2]], { width: 64, height: 0 })).toThrow(
      /image height must be a positive number of pixels, got 0/,
    );
    expect(() => trajectoryAccuracy(text, [[1, 2]], {} as unknown as { imageSize: number })).toThrow(
      /image size is missing/,
    );
  });
});

describe('trajectoryReward', () => {
  const target: TrajectoryPoint[] = [[12, 30]];
  const size = { imageSize: 48 };
  const table: Array<[string, string, number]> = [
    ['format and points right', answer('[(12,30)]'), (1 + 1) / 2],
    // off by (3, 4): accuracy 1 - 5/48
    ['format right, off by (3, 4)', answer('[(15,34)]'), (1 + (1 - 5 / 48)) / 2],
    ['format right, unparsable', answer('down'), (1 + 0) / 2],
    ['bare list, exact', '[(12,30)]', (0 + 1) / 2],
    ['nothing right', 'down', 0],
  ];
  it.each(table)('%s', (_name, completion, want) => {
    expect(trajectoryReward(completion, target, size)).toBeCloseTo(want, 15);
  });

  it('reports its parts and takes other weights', () => {
    const parts = trajectoryRewardParts(answer('[(15,34),(0,0)]'), target, size);
    expect(parts.format).toBe(1);
    expect(parts.accuracy).toBeCloseTo(1 - 5 / 48, 15);
    expect(parts.trajectory).toEqual([
      [15, 34],
      [0, 0],
    ]);
    // 0.2 · 1 + 0.8 · (1 - 5/48)
    expect(
      trajectoryReward(answer('[(15,34)]'), target, { ...size, weights: { format: 0.2, accuracy: 0.8 } }),
    ).toBeCloseTo(0.2 + 0.8 * (1 - 5 / 48), 15);
  });
});

describe('trajectoryRewardFunction', () => {
  const args: RewardArgs = {
    prompts: ['where next?', 'where next?', 'where next?'],
    completions: [answer('[(12,30),(13,29)]'), answer('[(15,34)]'), 'no idea'],
    columns: {
      target_trajectory: [
        [
          [12, 30],
          [13, 29],
        ],
        '[(12,30),(13,29)]', // text targets are parsed
        [[0, 0]],
      ],
    },
  };

  it('scores one number per completion from the target_trajectory column', () => {
    // sample 0: (1 + 1) / 2; sample 1: off by (3, 4) then one missing: (1 + (1 - (5/48 + 1) / 2)) / 2; sample 2: 0
    const got = trajectoryRewardFunction({ imageSize: 48 })(args);
    expect(got[0]).toBe(1);
    expect(got[1]).toBeCloseTo((1 + (1 - (5 / 48 + 1) / 2)) / 2, 15);
    expect(got[2]).toBe(0);
  });

  it('reads another column', () => {
    const fn = trajectoryRewardFunction({ width: 64, height: 48, targetColumn: 'path' });
    // sample 1 on a 64×48 image: (1 + (1 - (5/64 + 1) / 2)) / 2
    const got = fn({ ...args, columns: { path: args.columns!.target_trajectory } });
    expect(got[1]).toBeCloseTo((1 + (1 - (5 / 64 + 1) / 2)) / 2, 15);
  });

  it('names the function, the sample and the problem on bad input', () => {
    const fn = trajectoryRewardFunction({ imageSize: 48 });
    expect(() => fn({ ...args, columns: {} })).toThrow(
      /trajectoryReward: missing column "target_trajectory"/,
    );
    expect(() => fn({ ...args, columns: { target_trajectory: [[[1, 2]], 'up', [[1, 2]]] } })).toThrow(
      /trajectoryReward: column "target_trajectory" of sample 1: no \[\(x, y\), …\] list in "up"/,
    );
    expect(() => fn({ ...args, columns: { target_trajectory: [[[1, 2]], [[1, 2]], []] } })).toThrow(
      /trajectoryReward: column "target_trajectory" of sample 2 is empty/,
    );
    expect(() => fn({ ...args, columns: { target_trajectory: [[[1, 2]], 7, [[1, 2]]] } })).toThrow(
      /column "target_trajectory" of sample 1: expected an array of \[x, y\] points, got number/,
    );
    expect(() => trajectoryRewardFunction({ imageSize: 0 })).toThrow(
      /trajectoryReward: imageSize must be a positive number of pixels, got 0/,
    );
  });
});
