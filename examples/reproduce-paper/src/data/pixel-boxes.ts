import { GEOMETRY, type TabletopEnv, type Vec3 } from '@roboalign/bench';

/**
 * A box in agent-view pixels, `[x0, y0, x1, y1]`: inclusive pixel indices (columns x0…x1, rows y0…y1), so
 * `0 <= x0 <= x1 < width` and the same for rows.
 */
export type PixelBox = readonly [number, number, number, number];

/** Sides of the polygon standing in for a circle: its outline contains the circle (circumscribed). */
const CIRCLE_SIDES = 16;

/** A body's pose: position and row-major world rotation. */
interface Pose {
  readonly position: Vec3;
  readonly rotation: readonly number[];
}

function poseOf(env: TabletopEnv, body: string): Pose {
  return { position: env.bodyPosition(body), rotation: env.bodyRotation(body) };
}

/** Body-frame points → world points. */
function toWorld(pose: Pose, local: readonly Vec3[]): Vec3[] {
  const { position: p, rotation: r } = pose;
  return local.map(
    ([x, y, z]) =>
      [0, 1, 2].map((i) => p[i] + r[i * 3] * x + r[i * 3 + 1] * y + r[i * 3 + 2] * z) as unknown as Vec3,
  );
}

/** The 8 corners of an axis-aligned box `[−hx, hx] × [−hy, hy] × [z0, z1]` in its body frame. */
function boxCorners(hx: number, hy: number, z0: number, z1: number): Vec3[] {
  const out: Vec3[] = [];
  for (const x of [-hx, hx]) for (const y of [-hy, hy]) for (const z of [z0, z1]) out.push([x, y, z]);
  return out;
}

/** Vertices of the prisms circumscribing an upright cylinder of `radius` between heights z0 and z1. */
function cylinderHull(radius: number, z0: number, z1: number): Vec3[] {
  const r = radius / Math.cos(Math.PI / CIRCLE_SIDES);
  const out: Vec3[] = [];
  for (let k = 0; k < CIRCLE_SIDES; k++) {
    const a = (2 * Math.PI * k) / CIRCLE_SIDES;
    out.push([r * Math.cos(a), r * Math.sin(a), z0], [r * Math.cos(a), r * Math.sin(a), z1]);
  }
  return out;
}

/**
 * World points whose convex hull contains the body: the corners of a block or the tray, the circumscribed
 * prism of a can or the plate. Perspective maps the hull of these points onto the hull of their images, so the
 * pixel box of their projections contains everything the camera can see of the body.
 */
export function outlinePoints(env: TabletopEnv, body: string): Vec3[] {
  const g = GEOMETRY;
  const pose = poseOf(env, body);
  if (body === 'plate') return toWorld(pose, cylinderHull(g.plateRadius, 0, 2 * g.plateHalfHeight));
  if (body === 'tray') return toWorld(pose, boxCorners(g.trayHalf, g.trayHalf, 0, 2 * g.trayWallHalfHeight));
  const shape = env.object(body).shape;
  if (shape === 'cube') return toWorld(pose, boxCorners(g.cubeHalf, g.cubeHalf, -g.cubeHalf, g.cubeHalf));
  return toWorld(pose, cylinderHull(g.cylinderRadius, -g.cylinderHalfHeight, g.cylinderHalfHeight));
}

/**
 * The smallest pixel box holding every projected point that falls in the `size`² image, or null when none
 * does (or a point is behind the camera). The pixel of a point at (x, y) is (⌊x⌋, ⌊y⌋).
 */
export function pixelBoxOf(
  points: readonly { x: number; y: number; depth: number }[],
  size: number,
): PixelBox | null {
  if (points.length === 0 || points.some((p) => p.depth <= 0)) return null;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  if (maxX < 0 || maxY < 0 || minX >= size || minY >= size) return null;
  const clamp = (v: number) => Math.min(size - 1, Math.max(0, Math.floor(v)));
  return [clamp(minX), clamp(minY), clamp(maxX), clamp(maxY)];
}

/** The agent-view pixel box of a body (an object, `plate` or `tray`), or null when it is out of view. */
export function bodyPixelBox(env: TabletopEnv, body: string): PixelBox | null {
  return pixelBoxOf(
    outlinePoints(env, body).map((p) => env.projectToImage(p)),
    env.options.imageSize,
  );
}

/** `[x0, y0, x1, y1]` as the answers write it. */
export function formatBox(box: PixelBox): string {
  return `[${box.join(', ')}]`;
}

/** Intersection over union of two pixel boxes (inclusive indices). */
export function boxIou(a: PixelBox, b: PixelBox): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  const inter = Math.max(0, w) * Math.max(0, h);
  const area = (box: PixelBox) => (box[2] - box[0] + 1) * (box[3] - box[1] + 1);
  return inter / (area(a) + area(b) - inter);
}
