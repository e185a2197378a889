/** Rotations as row-major 3×3 matrices (`Float64Array(9)`), the layout MuJoCo uses for `xmat`. */
export type Mat3 = Float64Array;

/** Rodrigues' formula: the rotation by `|v|` radians about `v`. */
export function axisAngleToMat(v: ArrayLike<number>): Mat3 {
  const angle = Math.hypot(v[0], v[1], v[2]);
  const m = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  if (angle < 1e-12) return m;
  const x = v[0] / angle;
  const y = v[1] / angle;
  const z = v[2] / angle;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const t = 1 - c;
  m.set([
    t * x * x + c,
    t * x * y - s * z,
    t * x * z + s * y,
    t * x * y + s * z,
    t * y * y + c,
    t * y * z - s * x,
    t * x * z - s * y,
    t * y * z + s * x,
    t * z * z + c,
  ]);
  return m;
}

/** The rotation vector of `m` (axis times angle, angle in [0, π]). */
export function matToAxisAngle(m: ArrayLike<number>): Float64Array {
  const cosAngle = Math.min(1, Math.max(-1, (m[0] + m[4] + m[8] - 1) / 2));
  const angle = Math.acos(cosAngle);
  if (angle < 1e-9) return new Float64Array(3);
  if (Math.PI - angle < 1e-6) {
    // Near π the antisymmetric part vanishes; read the axis off the diagonal instead.
    const x = Math.sqrt(Math.max(0, (m[0] + 1) / 2));
    const y = Math.sqrt(Math.max(0, (m[4] + 1) / 2)) * (m[1] + m[3] < 0 && x > 1e-6 ? -1 : 1);
    const z = Math.sqrt(Math.max(0, (m[8] + 1) / 2)) * (m[2] + m[6] < 0 && x > 1e-6 ? -1 : 1);
    const n = Math.hypot(x, y, z);
    return new Float64Array([(angle * x) / n, (angle * y) / n, (angle * z) / n]);
  }
  const k = angle / (2 * Math.sin(angle));
  return new Float64Array([k * (m[7] - m[5]), k * (m[2] - m[6]), k * (m[3] - m[1])]);
}

/** `a · b` for row-major 3×3 matrices. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>): Mat3 {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
    }
  }
  return out;
}

/**
 * Angles `[yaw, pitch, roll]` with `m = Rz(yaw) · Ry(pitch) · Rx(roll)`: the order of the hinge chain
 * z → y → x that carries the gripper.
 */
export function matToYawPitchRoll(m: ArrayLike<number>): [number, number, number] {
  const pitch = Math.asin(Math.min(1, Math.max(-1, -m[6])));
  const yaw = Math.atan2(m[3], m[0]);
  const roll = Math.atan2(m[7], m[8]);
  return [yaw, pitch, roll];
}

/** `Rz(yaw) · Ry(pitch) · Rx(roll)`. */
export function yawPitchRollToMat(yaw: number, pitch: number, roll: number): Mat3 {
  const [cz, sz, cy, sy, cx, sx] = [
    Math.cos(yaw),
    Math.sin(yaw),
    Math.cos(pitch),
    Math.sin(pitch),
    Math.cos(roll),
    Math.sin(roll),
  ];
  return new Float64Array([
    cz * cy,
    cz * sy * sx - sz * cx,
    cz * sy * cx + sz * sx,
    sz * cy,
    sz * sy * sx + cz * cx,
    sz * sy * cx - cz * sx,
    -sy,
    cy * sx,
    cy * cx,
  ]);
}

/** Wraps an angle to (−π, π]. */
export function wrapAngle(a: number): number {
  const w = a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
  return w === -Math.PI ? Math.PI : w;
}
