import { describe, expect, it } from 'vitest';
import { listing, withArticle } from '../../src/data/general-questions.js';
import { chunkDisplacement, motionWords } from '../../src/data/motion-words.js';
import { phaseText } from '../../src/data/phase-text.js';
import { DIRECTIONS, horizontalDirection } from '../../src/data/reasoning.js';
import type { SceneFacts } from '../../src/data/scene-facts.js';
import { corpusText } from '../../src/data/text-corpus.js';

const block = (name: string, color: string, x: number, box: [number, number, number, number]) => ({
  name,
  label: `${color} block`,
  noun: 'block' as const,
  color,
  position: [x, 0, 0.025] as [number, number, number],
  box,
  visiblePixels: 12,
});

const SCENE: SceneFacts = {
  imageSize: 64,
  objects: [
    block('blue_block_a', 'blue', -0.1, [20, 30, 24, 34]),
    block('blue_block_b', 'blue', 0.1, [40, 30, 44, 34]),
    block('red_block', 'red', 0, [30, 20, 33, 24]),
  ],
  fixtures: [
    { name: 'plate', label: 'plate', position: [0, -0.1, 0], box: [25, 40, 38, 46], visiblePixels: 60 },
  ],
  gripper: { position: [0, 0, 0.2], pixel: [32, 10], closed: true, halfGap: 0.025, holding: 'red_block' },
  drawerOpening: null,
  lightOn: null,
};

describe('question and answer text', () => {
  it('names motion by its main axes from the robot’s side', () => {
    const chunk = (dx: number, dy: number, dz: number) =>
      Array.from({ length: 10 }, () => [dx, dy, dz, 0, 0, 0, -1]).flat();
    expect(chunkDisplacement(chunk(1, 0, 0))[0]).toBeCloseTo(0.2, 9);
    expect(motionWords(chunkDisplacement(chunk(-1, 0, -0.5)))).toBe('left and down');
    expect(motionWords(chunkDisplacement(chunk(0.3, 1, 0.5)))).toBe('forward and up');
    expect(motionWords(chunkDisplacement(chunk(-1, -1, -1)))).toBe('left, backward and down');
    expect(motionWords(chunkDisplacement(chunk(0.04, 0, 0)))).toBe('stay in place');
  });

  it('tells identical objects apart by pixel position and names the held object', () => {
    expect(phaseText({ step: 'move-above', target: 'blue_block_a' }, SCENE)).toBe(
      'move above the blue block at (22, 32)',
    );
    expect(phaseText({ step: 'lower-onto', target: 'plate' }, SCENE)).toBe(
      'lower the red block onto the plate',
    );
    expect(phaseText({ step: 'close-gripper', target: 'drawer' }, SCENE)).toBe(
      'close the gripper on the drawer handle',
    );
    expect(phaseText({ step: 'release' }, SCENE)).toBe('open the gripper to release the red block');
  });

  it('lists with articles, finds the main direction only when clear, and strips tokens from the corpus', () => {
    expect(listing(['a', 'b', 'c'].map(withArticle))).toBe('an a, a b and a c');
    expect(withArticle('orange can')).toBe('an orange can');
    expect(horizontalDirection([0, 0, 0], [-0.1, 0.02, 0], 1.3)).toBe(DIRECTIONS[0]);
    expect(horizontalDirection([0, 0, 0], [0.01, -0.08, 0], 1.3)).toBe(DIRECTIONS[3]);
    expect(horizontalDirection([0, 0, 0], [0.05, 0.045, 0], 1.3)).toBeNull();
    expect(horizontalDirection([0, 0, 0], [0.02, 0, 0], 1.3)).toBeNull();
    expect(corpusText('<think>Move\nup.</think><answer>B</answer>')).toBe('Move up. B');
    expect(corpusText('<ACTION_START><FAST_1><FAST_22><ACTION_END>')).toBe('');
  });
});
