import { describe, expect, it } from 'vitest';
import { initialLayout } from '../../src/harness/run.js';
import { getSuite } from '../../src/harness/suites.js';
import { GEOMETRY, type SceneSpec } from '../../src/sim/scene-xml.js';
import { TabletopEnv } from '../../src/sim/tabletop-env.js';
import type { EpisodeSuite } from '../../src/suites/task.js';
import { TaskEnv } from '../../src/suites/task-env.js';

const SCENE: SceneSpec = {
  objects: [
    { name: 'red_block', shape: 'cube', color: [0.85, 0.15, 0.12] },
    { name: 'blue_block', shape: 'cube', color: [0.15, 0.3, 0.85] },
  ],
  fixtures: { plate: true },
};
const LAYOUT = {
  objects: { red_block: { x: 0.08, y: 0.02, yaw: 0.4 }, blue_block: { x: -0.12, y: -0.08, yaw: -0.2 } },
  plate: { x: 0.05, y: -0.15 },
};

/** The eight corners of a cube object in world coordinates. */
function cubeCorners(env: TabletopEnv, name: string): number[][] {
  const p = env.bodyPosition(name);
  const r = env.bodyRotation(name);
  const h = GEOMETRY.cubeHalf;
  const corners: number[][] = [];
  for (const sx of [-h, h])
    for (const sy of [-h, h])
      for (const sz of [-h, h])
        corners.push([0, 1, 2].map((i) => p[i] + r[i * 3] * sx + r[i * 3 + 1] * sy + r[i * 3 + 2] * sz));
  return corners;
}

describe('camera projection and segmentation', () => {
  it('every pixel showing a block lies inside the box of its projected corners, and the box is tight', async () => {
    const size = 64;
    const env = await TabletopEnv.create(SCENE, { imageSize: size });
    env.reset(LAYOUT);
    env.observe('');
    for (const name of ['red_block', 'blue_block']) {
      const mask = env.bodyMask(name);
      const points = cubeCorners(env, name).map((c) => env.projectToImage(c));
      for (const p of points) expect(p.depth).toBeGreaterThan(0);
      const x0 = Math.min(...points.map((p) => p.x));
      const x1 = Math.max(...points.map((p) => p.x));
      const y0 = Math.min(...points.map((p) => p.y));
      const y1 = Math.max(...points.map((p) => p.y));
      let visible = 0;
      let minCol = size;
      let maxCol = -1;
      for (let row = 0; row < size; row++)
        for (let col = 0; col < size; col++) {
          if (!mask[row * size + col]) continue;
          visible++;
          // The ray of a pixel goes through its centre, which must project inside the object's outline.
          expect(col + 0.5).toBeGreaterThanOrEqual(x0);
          expect(col + 0.5).toBeLessThanOrEqual(x1);
          expect(row + 0.5).toBeGreaterThanOrEqual(y0);
          expect(row + 0.5).toBeLessThanOrEqual(y1);
          minCol = Math.min(minCol, col);
          maxCol = Math.max(maxCol, col);
        }
      expect(visible).toBeGreaterThan(4);
      // Not an over-wide box either: the outline is at most a pixel wider than the pixels hit on each side.
      expect(minCol + 0.5 - x0).toBeLessThan(1.5);
      expect(x1 - (maxCol + 0.5)).toBeLessThan(1.5);
    }
    env.dispose();
  });

  it('a block to the robot’s right appears right of the image centre, a nearer one lower', async () => {
    const env = await TabletopEnv.create(SCENE, { render: false, imageSize: 64 });
    env.reset(LAYOUT);
    const red = env.projectToImage(env.bodyPosition('red_block'));
    const blue = env.projectToImage(env.bodyPosition('blue_block'));
    expect(red.x).toBeGreaterThan(blue.x);
    expect(blue.y).toBeGreaterThan(red.y);
    expect(() => env.bodyMask('red_block')).toThrow(/rendering is off/);
    env.dispose();
  });

  it('bodyRotation is the yaw rotation of a block resting on the table', async () => {
    const env = await TabletopEnv.create(SCENE, { render: false });
    env.reset(LAYOUT);
    const r = env.bodyRotation('red_block');
    const yaw = env.bodyYaw('red_block');
    expect(yaw).toBeCloseTo(0.4, 2);
    expect(r[0]).toBeCloseTo(Math.cos(yaw), 6);
    expect(r[3]).toBeCloseTo(Math.sin(yaw), 6);
    expect(r[8]).toBeCloseTo(1, 3);
    env.dispose();
  });
});

describe('TaskEnv.expertPhase', () => {
  it('labels the expert of "put the red block on the plate" step by step, in order', async () => {
    const suite = getSuite('libero-goal') as EpisodeSuite;
    const task = suite.tasks[0];
    const env = await TaskEnv.create(task.scene, { render: false });
    env.reset(task, initialLayout(suite, 0, 0));
    expect(env.expertPhase()).toBeUndefined();
    const phases: string[] = [];
    for (let t = 0; t < task.maxSteps; t++) {
      const action = env.expertAction();
      const phase = env.expertPhase();
      const label = phase ? `${phase.step}${phase.target ? ` ${phase.target}` : ''}` : 'none';
      if (phases.at(-1) !== label) phases.push(label);
      if (env.step(action).terminated) break;
    }
    expect(phases).toEqual([
      'open-gripper',
      'move-above red_block',
      'lower-to red_block',
      'close-gripper red_block',
      'lift red_block',
      'carry-above plate',
      'lower-onto plate',
      'release',
    ]);
    env.dispose();
  });
});
