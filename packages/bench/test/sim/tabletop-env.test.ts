import { describe, expect, it } from 'vitest';
import { GEOMETRY, type SceneSpec } from '../../src/sim/scene-xml.js';
import { TabletopEnv } from '../../src/sim/tabletop-env.js';

const SCENE: SceneSpec = {
  objects: [{ name: 'red_block', shape: 'cube', color: [0.85, 0.15, 0.12] }],
  fixtures: { plate: true, button: true },
};
const LAYOUT = {
  objects: { red_block: { x: 0.05, y: 0.02, yaw: 0.3 } },
  plate: { x: -0.15, y: -0.1 },
  button: { x: 0.2, y: 0.15 },
};

async function rollout(seedActions: number[][]): Promise<Float64Array[]> {
  const env = await TabletopEnv.create(SCENE, { imageSize: 16 });
  env.reset(LAYOUT);
  const states: Float64Array[] = [];
  for (const a of seedActions) {
    env.step(a);
    states.push(env.proprioception());
  }
  env.dispose();
  return states;
}

describe('TabletopEnv', () => {
  it('is deterministic: the same actions give bit-identical states', async () => {
    const actions = Array.from({ length: 30 }, (_, t) => [
      Math.sin(t),
      Math.cos(t),
      -0.5,
      0.1,
      0,
      0,
      t > 15 ? 1 : -1,
    ]);
    const a = await rollout(actions);
    const b = await rollout(actions);
    expect(a.map((s) => Array.from(s))).toEqual(b.map((s) => Array.from(s)));
  });

  it('moves the grasp point by positionScale per unit action and respects the workspace', async () => {
    const env = await TabletopEnv.create(SCENE, { render: false });
    env.reset(LAYOUT);
    const start = env.gripperPosition();
    for (let i = 0; i < 10; i++) env.step([1, 0, 0, 0, 0, 0, -1]);
    for (let i = 0; i < 10; i++) env.step([0, 0, 0, 0, 0, 0, -1]);
    expect(env.gripperPosition()[0] - start[0]).toBeCloseTo(0.2, 2);
    for (let i = 0; i < 40; i++) env.step([0, 0, -1, 0, 0, 0, -1]);
    expect(env.gripperPosition()[2]).toBeGreaterThan(GEOMETRY.workspace.z[0] - 0.01);
    expect(() => env.step([0, 0, 0])).toThrow(/7 values/);
    expect(() => env.step([0, 0, Number.NaN, 0, 0, 0, 0])).toThrow(/action\[2\]/);
    env.dispose();
  });

  it('grasps and lifts a block with real contacts', async () => {
    const env = await TabletopEnv.create(SCENE, { render: false });
    env.reset({ ...LAYOUT, objects: { red_block: { x: 0, y: 0 } } });
    const go = (x: number, y: number, z: number, grip: number) => {
      for (let i = 0; i < 60; i++) {
        const p = env.gripperPosition();
        const e = [x - p[0], y - p[1], z - p[2]];
        if (Math.hypot(...e) < 0.003) break;
        env.step([...e.map((v) => Math.max(-1, Math.min(1, v / 0.02))), 0, 0, 0, grip]);
      }
    };
    go(0, 0, 0.12, -1);
    go(0, 0, 0.025, -1);
    for (let i = 0; i < 8; i++) env.step([0, 0, 0, 0, 0, 0, 1]);
    expect(env.isGrasped('red_block')).toBe(true);
    go(0, 0, 0.2, 1);
    expect(env.bodyPosition('red_block')[2]).toBeGreaterThan(0.17);
    for (let i = 0; i < 10; i++) env.step([0, 0, 0, 0, 0, 0, -1]);
    expect(env.isGrasped('red_block')).toBe(false);
    env.dispose();
  });

  it('toggles the lamp when the button is pressed', async () => {
    const env = await TabletopEnv.create(SCENE, { render: false });
    env.reset(LAYOUT);
    expect(env.lightOn()).toBe(false);
    const go = (x: number, y: number, z: number) => {
      for (let i = 0; i < 60; i++) {
        const p = env.gripperPosition();
        const e = [x - p[0], y - p[1], z - p[2]];
        if (Math.hypot(...e) < 0.002) break;
        env.step([...e.map((v) => Math.max(-1, Math.min(1, v / 0.02))), 0, 0, 0, 1]);
      }
    };
    go(0.2, 0.15, 0.12);
    go(0.2, 0.15, 0.005);
    go(0.2, 0.15, 0.12);
    expect(env.lightOn()).toBe(true);
    env.dispose();
  });

  it('renders both cameras at the requested size with the scene visible', async () => {
    const env = await TabletopEnv.create(SCENE, { imageSize: 32 });
    env.reset(LAYOUT);
    const o = env.observe('pick up the red block');
    expect(o.image.width).toBe(32);
    expect(o.image.data.length).toBe(32 * 32 * 3);
    expect(o.wristImage.data.length).toBe(32 * 32 * 3);
    // Some pixel must be strongly red (the block) in the agent view.
    let red = 0;
    for (let p = 0; p < 32 * 32; p++) if (o.image.data[p * 3] > 120 && o.image.data[p * 3 + 1] < 60) red++;
    expect(red).toBeGreaterThan(0);
    expect(o.state.length).toBe(8);
    await expect(TabletopEnv.create(SCENE, { imageSize: 3 })).rejects.toThrow(/imageSize/);
    env.dispose();
  });
});
