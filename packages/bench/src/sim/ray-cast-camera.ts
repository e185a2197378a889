import { BenchError } from '../errors.js';
import type { RgbImage } from '../types.js';
import { projectFromPose } from './camera-projection.js';
import type { Physics } from './mujoco.js';

/** MuJoCo's geom type codes (`mjtGeom`). */
const GEOM = { plane: 0, sphere: 2, capsule: 3, ellipsoid: 4, cylinder: 5, box: 6 } as const;
const LIGHT = normalize([0.35, -0.45, 1]);
const AMBIENT = 0.38;
const SKY_TOP = [0.72, 0.8, 0.9];
const SKY_BOTTOM = [0.9, 0.92, 0.95];

/** Where a world point lands in a camera image. */
export interface PixelProjection {
  /** Column coordinate: the image spans [0, width]; pixel `col` covers [col, col + 1). */
  readonly x: number;
  /** Row coordinate, downwards: the image spans [0, height]; pixel `row` covers [row, row + 1). */
  readonly y: number;
  /** Distance in front of the camera along its optical axis (negative behind it). */
  readonly depth: number;
}

/**
 * Projects a world point into the image of a MuJoCo camera of `width`×`height` pixels, with the same pinhole
 * model as {@link RayCastCamera}: the ray of pixel (col, row) passes through (col + 0.5, row + 0.5). It reads
 * the camera pose of the last kinematics pass (`mj_forward` or `mj_step`), the pose the renderer uses, so it
 * works for moving cameras (the wrist) too; `projectToAgentView` needs no model for the fixed agent view.
 */
export function projectToPixel(
  physics: Physics,
  camera: string,
  width: number,
  height: number,
  point: ArrayLike<number>,
): PixelProjection {
  const { mj, model, data } = physics;
  const id = mj.mj_name2id(model, mj.mjtObj.mjOBJ_CAMERA.value, camera);
  if (id < 0) throw new BenchError(`camera "${camera}" is not in the scene`);
  const pos = (data.cam_xpos as Float64Array).subarray(id * 3, id * 3 + 3);
  const r = (data.cam_xmat as Float64Array).subarray(id * 9, id * 9 + 9);
  const { x, y, depth } = projectFromPose(pos, r, model.cam_fovy[id], width, height, point);
  return { x, y, depth };
}

function normalize(v: number[]): number[] {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}

/**
 * Renders a MuJoCo camera without OpenGL: one ray per pixel through MuJoCo's own `mj_multiRay`, then
 * Lambert shading from the hit geom's colour and an analytic surface normal. No shadows or textures.
 */
export class RayCastCamera {
  readonly width: number;
  readonly height: number;
  private readonly cameraId: number;
  /** Ray directions in the camera frame (x right, y up, looking along −z), three per pixel. */
  private readonly localDirections: Float64Array;
  private readonly worldDirections: Float64Array;
  private readonly geomIds;
  private readonly distances;
  private readonly geomGroups = new Uint8Array([1, 1, 1, 1, 1, 1]);
  private rendered = false;

  constructor(
    private readonly physics: Physics,
    private readonly cameraName: string,
    width: number,
    height: number,
  ) {
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width < 1 ||
      height < 1 ||
      width * height > 4096 * 4096
    ) {
      throw new BenchError(
        `camera "${cameraName}": image size must be positive integers, got ${width}×${height}`,
      );
    }
    const { mj, model } = physics;
    this.cameraId = mj.mj_name2id(model, mj.mjtObj.mjOBJ_CAMERA.value, cameraName);
    if (this.cameraId < 0) throw new BenchError(`camera "${cameraName}" is not in the scene`);
    this.width = width;
    this.height = height;
    const fovy = (model.cam_fovy[this.cameraId] * Math.PI) / 180;
    const tanY = Math.tan(fovy / 2);
    const tanX = (tanY * width) / height;
    const n = width * height;
    this.localDirections = new Float64Array(n * 3);
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        const x = ((2 * (col + 0.5)) / width - 1) * tanX;
        const y = (1 - (2 * (row + 0.5)) / height) * tanY;
        const norm = Math.hypot(x, y, 1);
        const k = (row * width + col) * 3;
        this.localDirections[k] = x / norm;
        this.localDirections[k + 1] = y / norm;
        this.localDirections[k + 2] = -1 / norm;
      }
    }
    this.worldDirections = new Float64Array(n * 3);
    this.geomIds = new mj.IntBuffer(n);
    this.distances = new mj.DoubleBuffer(n);
  }

  /** Renders the current physics state. `colorOverrides` maps geom ids to RGB (e.g. a lit lamp). */
  render(colorOverrides?: ReadonlyMap<number, readonly [number, number, number]>): RgbImage {
    const { mj, model, data } = this.physics;
    const n = this.width * this.height;
    const camPos = data.cam_xpos as Float64Array;
    const camMat = data.cam_xmat as Float64Array;
    const c = this.cameraId;
    const origin = [camPos[c * 3], camPos[c * 3 + 1], camPos[c * 3 + 2]];
    const r = camMat.subarray(c * 9, c * 9 + 9);
    const local = this.localDirections;
    const world = this.worldDirections;
    for (let i = 0; i < n * 3; i += 3) {
      const x = local[i];
      const y = local[i + 1];
      const z = local[i + 2];
      world[i] = r[0] * x + r[1] * y + r[2] * z;
      world[i + 1] = r[3] * x + r[4] * y + r[5] * z;
      world[i + 2] = r[6] * x + r[7] * y + r[8] * z;
    }
    // The binding takes typed arrays for the ray directions; its .d.ts says number[].
    mj.mj_multiRay(
      model,
      data,
      origin,
      world as unknown as number[],
      this.geomGroups,
      1,
      -1,
      this.geomIds,
      this.distances,
      n,
      20,
    );
    this.rendered = true;
    const ids = this.geomIds.GetView() as Int32Array;
    const dist = this.distances.GetView() as Float64Array;
    const geomType = model.geom_type as Int32Array;
    const geomSize = model.geom_size as Float64Array;
    const geomRgba = model.geom_rgba as Float32Array;
    const geomPos = data.geom_xpos as Float64Array;
    const geomMat = data.geom_xmat as Float64Array;
    const out = new Uint8Array(n * 3);
    const normal = [0, 0, 0];
    for (let p = 0; p < n; p++) {
      const id = ids[p];
      let red: number;
      let green: number;
      let blue: number;
      if (id < 0 || dist[p] < 0) {
        const t = Math.floor(p / this.width) / this.height;
        red = SKY_TOP[0] + (SKY_BOTTOM[0] - SKY_TOP[0]) * t;
        green = SKY_TOP[1] + (SKY_BOTTOM[1] - SKY_TOP[1]) * t;
        blue = SKY_TOP[2] + (SKY_BOTTOM[2] - SKY_TOP[2]) * t;
      } else {
        const d = dist[p];
        const hx = origin[0] + world[p * 3] * d - geomPos[id * 3];
        const hy = origin[1] + world[p * 3 + 1] * d - geomPos[id * 3 + 1];
        const hz = origin[2] + world[p * 3 + 2] * d - geomPos[id * 3 + 2];
        const m = id * 9;
        // Hit point in the geom frame: Rᵀ(p − x).
        const lx = geomMat[m] * hx + geomMat[m + 3] * hy + geomMat[m + 6] * hz;
        const ly = geomMat[m + 1] * hx + geomMat[m + 4] * hy + geomMat[m + 7] * hz;
        const lz = geomMat[m + 2] * hx + geomMat[m + 5] * hy + geomMat[m + 8] * hz;
        localNormal(geomType[id], geomSize, id, lx, ly, lz, normal);
        const wx = geomMat[m] * normal[0] + geomMat[m + 1] * normal[1] + geomMat[m + 2] * normal[2];
        const wy = geomMat[m + 3] * normal[0] + geomMat[m + 4] * normal[1] + geomMat[m + 5] * normal[2];
        const wz = geomMat[m + 6] * normal[0] + geomMat[m + 7] * normal[1] + geomMat[m + 8] * normal[2];
        // Two-sided: a normal facing away from the camera is flipped.
        const facing = wx * world[p * 3] + wy * world[p * 3 + 1] + wz * world[p * 3 + 2] > 0 ? -1 : 1;
        const lambert = Math.max(0, facing * (wx * LIGHT[0] + wy * LIGHT[1] + wz * LIGHT[2]));
        const shade = AMBIENT + (1 - AMBIENT) * lambert;
        const override = colorOverrides?.get(id);
        const base = override ?? [geomRgba[id * 4], geomRgba[id * 4 + 1], geomRgba[id * 4 + 2]];
        red = base[0] * shade;
        green = base[1] * shade;
        blue = base[2] * shade;
      }
      out[p * 3] = Math.min(255, Math.round(red * 255));
      out[p * 3 + 1] = Math.min(255, Math.round(green * 255));
      out[p * 3 + 2] = Math.min(255, Math.round(blue * 255));
    }
    return { width: this.width, height: this.height, data: out };
  }

  /**
   * The geom each pixel of the latest `render` shows, row-major (−1 where the ray hit nothing): a segmentation
   * of that image, e.g. to tell which objects are visible.
   */
  lastGeomIds(): Int32Array {
    if (!this.rendered) throw new BenchError('RayCastCamera.lastGeomIds: nothing rendered yet');
    const ids = Int32Array.from(this.geomIds.GetView() as Int32Array);
    const dist = this.distances.GetView() as Float64Array;
    for (let p = 0; p < ids.length; p++) if (dist[p] < 0) ids[p] = -1;
    return ids;
  }

  /** Projects a world point into this camera's image (see {@link projectToPixel}). */
  project(point: ArrayLike<number>): PixelProjection {
    return projectToPixel(this.physics, this.cameraName, this.width, this.height, point);
  }

  /** Frees the WebAssembly buffers. */
  dispose(): void {
    this.geomIds.delete();
    this.distances.delete();
  }
}

/** The outward unit normal of a primitive at a surface point given in its own frame. */
function localNormal(
  type: number,
  size: Float64Array,
  id: number,
  x: number,
  y: number,
  z: number,
  out: number[],
): void {
  const sx = size[id * 3];
  const sy = size[id * 3 + 1];
  const sz = size[id * 3 + 2];
  let nx = 0;
  let ny = 0;
  let nz = 1;
  switch (type) {
    case GEOM.plane:
      break;
    case GEOM.sphere:
      nx = x;
      ny = y;
      nz = z;
      break;
    case GEOM.ellipsoid:
      nx = x / (sx * sx);
      ny = y / (sy * sy);
      nz = z / (sz * sz);
      break;
    case GEOM.capsule: {
      const zc = Math.max(-sy, Math.min(sy, z));
      nx = x;
      ny = y;
      nz = z - zc;
      break;
    }
    case GEOM.cylinder: {
      // On a cap when the point is nearer the cap plane than the curved side.
      const radial = Math.hypot(x, y);
      if (sy - Math.abs(z) < sx - radial) {
        nx = 0;
        ny = 0;
        nz = Math.sign(z) || 1;
      } else {
        nx = x;
        ny = y;
        nz = 0;
      }
      break;
    }
    case GEOM.box: {
      const ax = Math.abs(x) / sx;
      const ay = Math.abs(y) / sy;
      const az = Math.abs(z) / sz;
      nz = 0;
      if (ax >= ay && ax >= az) nx = Math.sign(x);
      else if (ay >= az) ny = Math.sign(y);
      else nz = Math.sign(z);
      break;
    }
  }
  const norm = Math.hypot(nx, ny, nz) || 1;
  out[0] = nx / norm;
  out[1] = ny / norm;
  out[2] = nz / norm;
}
