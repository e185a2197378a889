import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  axisAngleToMat,
  matMul,
  matToAxisAngle,
  matToYawPitchRoll,
  wrapAngle,
  yawPitchRollToMat,
} from '../../src/sim/rotation.js';

const angle = fc.double({ min: -3, max: 3, noNaN: true });

describe('rotation', () => {
  it('turns x into y by a quarter turn about z (hand-computed)', () => {
    const m = axisAngleToMat([0, 0, Math.PI / 2]);
    expect(Array.from(m).map((v) => Math.round(v * 1e12) / 1e12 + 0)).toEqual([0, -1, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('axis-angle round-trips, including near π', () => {
    fc.assert(
      fc.property(fc.tuple(angle, angle, angle), ([x, y, z]) => {
        const v = [x, y, z];
        const n = Math.hypot(x, y, z);
        fc.pre(n > 1e-6 && n < Math.PI - 1e-3);
        const back = matToAxisAngle(axisAngleToMat(v));
        for (let i = 0; i < 3; i++) expect(back[i]).toBeCloseTo(v[i], 8);
      }),
    );
    const nearPi = matToAxisAngle(axisAngleToMat([0, Math.PI, 0]));
    expect(Math.abs(nearPi[1])).toBeCloseTo(Math.PI, 6);
  });

  it('yaw-pitch-roll is Rz·Ry·Rx and decomposes back', () => {
    fc.assert(
      fc.property(angle, fc.double({ min: -1.5, max: 1.5, noNaN: true }), angle, (yaw, pitch, roll) => {
        const m = yawPitchRollToMat(yaw, pitch, roll);
        const composed = matMul(
          matMul(axisAngleToMat([0, 0, yaw]), axisAngleToMat([0, pitch, 0])),
          axisAngleToMat([roll, 0, 0]),
        );
        for (let i = 0; i < 9; i++) expect(m[i]).toBeCloseTo(composed[i], 10);
        const [y2, p2, r2] = matToYawPitchRoll(m);
        expect(y2).toBeCloseTo(yaw, 8);
        expect(p2).toBeCloseTo(pitch, 8);
        expect(r2).toBeCloseTo(roll, 8);
      }),
    );
  });

  it('wraps angles to (−π, π]', () => {
    expect(wrapAngle(3 * Math.PI)).toBeCloseTo(Math.PI, 12);
    expect(wrapAngle(-Math.PI)).toBeCloseTo(Math.PI, 12);
    expect(wrapAngle(2 * Math.PI + 0.5)).toBeCloseTo(0.5, 12);
  });
});
