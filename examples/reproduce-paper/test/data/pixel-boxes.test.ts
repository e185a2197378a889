import { GEOMETRY, TabletopEnv, type Vec3 } from '@roboalign/bench';
import { mulberry32, type Rng } from '@roboalign/utils';
import { afterAll, describe, expect, it } from 'vitest';
import { generalSceneSpec, sampleGeneralScene } from '../../src/data/general-scenes.js';
import { bodyPixelBox, outlinePoints, type PixelBox, pixelBoxOf } from '../../src/data/pixel-boxes.js';
import { snapshotScene } from '../../src/data/scene-facts.js';

const SIZE = 64;
const envs = new Map<boolean, Promise<TabletopEnv>>();
const envFor = (withCabinet: boolean) => {
  if (!envs.has(withCabinet))
    envs.set(withCabinet, TabletopEnv.create(generalSceneSpec(withCabinet), { imageSize: SIZE }));
  return envs.get(withCabinet)!;
};
afterAll(async () => {
  for (const env of envs.values()) (await env).dispose();
});

/** A random point on the body's real surface (not its outline), in the body frame. */
function surfacePoint(rng: Rng, shape: 'cube' | 'cylinder' | 'plate' | 'tray'): Vec3 {
  const u = () => rng() * 2 - 1;
  if (shape === 'cube' || shape === 'tray') {
    const [hx, hy, z0, z1] =
      shape === 'cube'
        ? [GEOMETRY.cubeHalf, GEOMETRY.cubeHalf, -GEOMETRY.cubeHalf, GEOMETRY.cubeHalf]
        : [GEOMETRY.trayHalf, GEOMETRY.trayHalf, 0, 2 * GEOMETRY.trayWallHalfHeight];
    const p: Vec3 = [hx * u(), hy * u(), z0 + (z1 - z0) * rng()];
    const face = Math.floor(rng() * 6);
    if (face < 2) p[0] = face === 0 ? -hx : hx;
    else if (face < 4) p[1] = face === 2 ? -hy : hy;
    else p[2] = face === 4 ? z0 : z1;
    return p;
  }
  const [r, z0, z1] =
    shape === 'cylinder'
      ? [GEOMETRY.cylinderRadius, -GEOMETRY.cylinderHalfHeight, GEOMETRY.cylinderHalfHeight]
      : [GEOMETRY.plateRadius, 0, 2 * GEOMETRY.plateHalfHeight];
  const a = 2 * Math.PI * rng();
  if (rng() < 0.5) return [r * Math.cos(a), r * Math.sin(a), z0 + (z1 - z0) * rng()];
  const radius = r * Math.sqrt(rng());
  return [radius * Math.cos(a), radius * Math.sin(a), rng() < 0.5 ? z0 : z1];
}

function toWorld(env: TabletopEnv, body: string, p: Vec3): Vec3 {
  const c = env.bodyPosition(body);
  const r = env.bodyRotation(body);
  return [0, 1, 2].map((i) => c[i] + r[i * 3] * p[0] + r[i * 3 + 1] * p[1] + r[i * 3 + 2] * p[2]) as Vec3;
}

/** Whether the pixel of an image point lies in the box (points outside the image are not asked about). */
function covers(box: PixelBox, x: number, y: number): boolean {
  const [col, row] = [Math.floor(x), Math.floor(y)];
  return col >= box[0] && col <= box[2] && row >= box[1] && row <= box[3];
}

describe('agent-view pixel boxes', () => {
  it('lie inside the image and cover the projected outline, random surface points and every visible pixel', async () => {
    const rng = mulberry32(11);
    let checkedBodies = 0;
    let checkedPixels = 0;
    for (let s = 0; s < 10; s++) {
      const scene = sampleGeneralScene(rng);
      const env = await envFor(scene.withCabinet);
      env.reset(scene.layout);
      env.observe('');
      const bodies = [
        ...scene.present.objects.map((name) => ({ name, shape: env.object(name).shape })),
        ...scene.present.fixtures
          .filter((f): f is 'plate' | 'tray' => f === 'plate' || f === 'tray')
          .map((name) => ({ name, shape: name })),
      ];
      for (const { name, shape } of bodies) {
        const box = bodyPixelBox(env, name);
        expect(box, `${name} is on the table, in view`).not.toBeNull();
        if (!box) continue;
        checkedBodies++;
        const [x0, y0, x1, y1] = box;
        expect(Number.isInteger(x0) && Number.isInteger(y1)).toBe(true);
        expect(0 <= x0 && x0 <= x1 && x1 < SIZE && 0 <= y0 && y0 <= y1 && y1 < SIZE).toBe(true);
        const inImage = (p: { x: number; y: number }) => p.x >= 0 && p.y >= 0 && p.x < SIZE && p.y < SIZE;
        for (const p of outlinePoints(env, name).map((q) => env.projectToImage(q)))
          if (inImage(p)) expect(covers(box, p.x, p.y), `${name}: outline point`).toBe(true);
        for (let k = 0; k < 100; k++) {
          const p = env.projectToImage(toWorld(env, name, surfacePoint(rng, shape)));
          if (inImage(p)) expect(covers(box, p.x, p.y), `${name}: surface point ${p.x}, ${p.y}`).toBe(true);
        }
        const mask = env.bodyMask(name);
        let minCol = SIZE;
        let maxCol = -1;
        for (let i = 0; i < mask.length; i++) {
          if (!mask[i]) continue;
          const [col, row] = [i % SIZE, Math.floor(i / SIZE)];
          expect(covers(box, col + 0.5, row + 0.5), `${name}: visible pixel (${col}, ${row})`).toBe(true);
          minCol = Math.min(minCol, col);
          maxCol = Math.max(maxCol, col);
          checkedPixels++;
        }
        // Tight, too: a fully visible body's box is at most 2 pixels wider than its visible pixels per side.
        const facts = snapshotScene(env, scene.present);
        const unoccluded = facts.objects.find((o) => o.name === name)?.visiblePixels ?? 0;
        if (unoccluded > 8 && shape !== 'plate' && shape !== 'tray') {
          expect(minCol - x0).toBeLessThanOrEqual(2);
          expect(x1 - maxCol).toBeLessThanOrEqual(2);
        }
      }
    }
    expect(checkedBodies).toBeGreaterThan(20);
    expect(checkedPixels).toBeGreaterThan(300);
  });

  it('clip to the image, and are null out of view or behind the camera', () => {
    const at = (x: number, y: number, depth = 1) => ({ x, y, depth });
    expect(pixelBoxOf([at(3.2, 4.9), at(7.99, 5.1)], SIZE)).toEqual([3, 4, 7, 5]);
    expect(pixelBoxOf([at(-5, 60), at(3, 70)], SIZE)).toEqual([0, 60, 3, 63]);
    expect(pixelBoxOf([at(64, 10), at(70, 20)], SIZE)).toBeNull();
    expect(pixelBoxOf([at(10, 10), at(20, 20, -0.1)], SIZE)).toBeNull();
    expect(pixelBoxOf([], SIZE)).toBeNull();
  });
});
