import { BenchError } from '../errors.js';
import { AGENT_VIEW_CAMERA, type CameraSpec } from './scene-xml.js';

/**
 * Pure pinhole projection of world points into the images of `RayCastCamera`: numbers in, numbers out,
 * no MuJoCo model needed. The convention is the renderer's: the camera looks along its −z axis with x to the
 * image's right and y up, `fovy` is the vertical field of view, and the ray of pixel (col, row) passes through
 * the continuous image point (col + 0.5, row + 0.5), row 0 being the top row.
 */

/** Where a world point lands in a camera image, in continuous pixel coordinates. */
export interface ImagePoint {
  /** Column coordinate: 0 is the image's left edge, `width` its right edge; pixel `col` covers [col, col + 1). */
  readonly x: number;
  /** Row coordinate, downwards: 0 is the top edge, `height` the bottom; pixel `row` covers [row, row + 1). */
  readonly y: number;
  /** Distance in front of the camera along its optical axis, in metres (≤ 0 at or behind the camera). */
  readonly depth: number;
  /**
   * True when the point is in front of the camera (`depth > 0`) and inside the image (0 ≤ x < width and
   * 0 ≤ y < height). It says nothing about occlusion. When `depth ≤ 0`, `x` and `y` are not a place in the image.
   */
  readonly visible: boolean;
}

/**
 * The camera's rotation as MuJoCo compiles `xyaxes`: a row-major 3×3 matrix whose columns are the camera's x, y
 * and z axes in world coordinates (the layout of MuJoCo's `cam_xmat`).
 */
export function cameraRotation(xyaxes: CameraSpec['xyaxes']): number[] {
  const nx = Math.hypot(xyaxes[0], xyaxes[1], xyaxes[2]);
  const x = [xyaxes[0] / nx, xyaxes[1] / nx, xyaxes[2] / nx];
  const d = x[0] * xyaxes[3] + x[1] * xyaxes[4] + x[2] * xyaxes[5];
  const yRaw = [xyaxes[3] - d * x[0], xyaxes[4] - d * x[1], xyaxes[5] - d * x[2]];
  const ny = Math.hypot(yRaw[0], yRaw[1], yRaw[2]);
  if (!(nx > 0) || !(ny > 1e-12 * nx)) {
    throw new BenchError(
      `camera xyaxes [${xyaxes.join(', ')}]: the two axes must be non-zero and not parallel`,
    );
  }
  const y = [yRaw[0] / ny, yRaw[1] / ny, yRaw[2] / ny];
  const z = [x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]];
  return [x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]];
}

/**
 * Projects `point` for a camera at `origin` with rotation `rotation` (row-major, columns = camera axes in world,
 * as MuJoCo's `cam_xmat`) and vertical field of view `fovy` degrees, into a `width`×`height` image. No checks:
 * the shared core of {@link projectPinhole} and `projectToPixel`.
 */
export function projectFromPose(
  origin: ArrayLike<number>,
  rotation: ArrayLike<number>,
  fovy: number,
  width: number,
  height: number,
  point: ArrayLike<number>,
): ImagePoint {
  const tanY = Math.tan((fovy * Math.PI) / 360);
  const tanX = (tanY * width) / height;
  const r = rotation;
  const dx = point[0] - origin[0];
  const dy = point[1] - origin[1];
  const dz = point[2] - origin[2];
  // Camera frame: Rᵀ(p − origin); the camera looks along its −z axis.
  const cx = r[0] * dx + r[3] * dy + r[6] * dz;
  const cy = r[1] * dx + r[4] * dy + r[7] * dz;
  const depth = -(r[2] * dx + r[5] * dy + r[8] * dz);
  const x = ((cx / depth / tanX + 1) * width) / 2;
  const y = ((1 - cy / depth / tanY) * height) / 2;
  const visible = depth > 0 && x >= 0 && x < width && y >= 0 && y < height;
  return { x, y, depth, visible };
}

function checkSize(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new BenchError(`${what} must be a positive integer number of pixels, got ${value}`);
  }
}

function checkPoint(point: ArrayLike<number>): void {
  if (
    point.length !== 3 ||
    !Number.isFinite(point[0]) ||
    !Number.isFinite(point[1]) ||
    !Number.isFinite(point[2])
  ) {
    throw new BenchError(
      `point must be three finite world coordinates, got [${Array.from(point).join(', ')}]`,
    );
  }
}

/**
 * Projects a world point into the `width`×`height` image of a fixed camera given as in MJCF (position,
 * `xyaxes`, `fovy`), with the pinhole model of the renderer (see the module comment). Returns continuous
 * coordinates; {@link pixelIndex} gives the pixel they fall in. Throws `BenchError` on a size that is not a
 * positive integer or a point that is not three finite numbers.
 *
 * @example
 * projectPinhole({ pos: [0, 0, 1], xyaxes: [1, 0, 0, 0, 1, 0], fovy: 90 }, [0, 0, 0], 64); // looking down
 * // → { x: 32, y: 32, depth: 1, visible: true }: the image centre
 */
export function projectPinhole(
  camera: CameraSpec,
  point: ArrayLike<number>,
  width: number,
  height: number = width,
): ImagePoint {
  checkSize(width, 'image width');
  checkSize(height, 'image height');
  checkPoint(point);
  if (!(camera.fovy > 0 && camera.fovy < 180)) {
    throw new BenchError(`camera fovy must be in (0, 180) degrees, got ${camera.fovy}`);
  }
  return projectFromPose(camera.pos, cameraRotation(camera.xyaxes), camera.fovy, width, height, point);
}

const AGENT_VIEW_ROTATION = cameraRotation(AGENT_VIEW_CAMERA.xyaxes);

/**
 * Where a world point (e.g. `TabletopEnv.gripperPosition()`) lands in the `imageSize`×`imageSize` agent-view
 * image of the tabletop scene, as `observe().image` renders it: x is the column, y the row (row 0 at the top),
 * continuous, with pixel (col, row) covering [col, col + 1) × [row, row + 1). The camera is
 * {@link AGENT_VIEW_CAMERA}, fixed in the world, so no environment is needed. `visible` is false behind the
 * camera or outside the image; occlusion is not considered.
 *
 * @example
 * const p = projectToAgentView([0, -0.15, 0.25], 64); // the gripper's home position
 * // → { x: 32, y: 23.885…, depth: 0.6749…, visible: true }
 * pixelIndex(p); // [32, 23]: the pixel the point falls in
 */
export function projectToAgentView(point: ArrayLike<number>, imageSize: number): ImagePoint {
  checkSize(imageSize, 'imageSize');
  checkPoint(point);
  const c = AGENT_VIEW_CAMERA;
  return projectFromPose(c.pos, AGENT_VIEW_ROTATION, c.fovy, imageSize, imageSize, point);
}

/**
 * The integer pixel `[col, row]` a continuous image point falls in: `[floor(x), floor(y)]`. That pixel's ray
 * passes through (col + 0.5, row + 0.5), within half a pixel of the point on each axis. For a visible point
 * both indices are inside the image; otherwise they may not be.
 */
export function pixelIndex(point: { readonly x: number; readonly y: number }): [number, number] {
  return [Math.floor(point.x), Math.floor(point.y)];
}
