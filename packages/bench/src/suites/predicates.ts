import { BenchError } from '../errors.js';
import { GEOMETRY, halfHeight } from '../sim/scene-xml.js';
import type { TabletopEnv, Vec3 } from '../sim/tabletop-env.js';

/** Object positions when the task (or chain subtask) started, for predicates about change. */
export type StartPositions = Readonly<Record<string, Vec3>>;

/** A success predicate over the physics state. */
export type Predicate = (env: TabletopEnv, start: StartPositions) => boolean;

/** Resting height of a scene object's centre above what it stands on. */
function halfOf(env: TabletopEnv, name: string): number {
  return halfHeight(env.object(name));
}

/** Resting on the plate: centre over the plate, at resting height, untouched by the fingers. */
export function onPlate(name: string): Predicate {
  return (env) => {
    const [x, y, z] = env.bodyPosition(name);
    const [px, py] = env.bodyPosition('plate');
    const rest = 2 * GEOMETRY.plateHalfHeight + halfOf(env, name);
    return (
      Math.hypot(x - px, y - py) < GEOMETRY.plateRadius - 0.01 &&
      Math.abs(z - rest) < 0.015 &&
      !env.isTouched(name)
    );
  };
}

/** Inside the tray's walls, low, released. */
export function inTray(name: string): Predicate {
  return (env) => {
    const [x, y, z] = env.bodyPosition(name);
    const [tx, ty] = env.bodyPosition('tray');
    const inner = GEOMETRY.trayHalf - 0.012;
    return (
      Math.abs(x - tx) < inner &&
      Math.abs(y - ty) < inner &&
      z < 0.008 + 2 * halfOf(env, name) + 0.01 &&
      !env.isTouched(name)
    );
  };
}

/** `top` resting on `bottom`. */
export function stackedOn(top: string, bottom: string): Predicate {
  return (env) => {
    const [x, y, z] = env.bodyPosition(top);
    const [bx, by, bz] = env.bodyPosition(bottom);
    const gap = halfOf(env, top) + halfOf(env, bottom);
    return Math.hypot(x - bx, y - by) < 0.03 && Math.abs(z - bz - gap) < 0.012 && !env.isTouched(top);
  };
}

/** Held at least 8 cm above where it started. */
export function lifted(name: string): Predicate {
  return (env, start) => env.bodyPosition(name)[2] > startOf(start, name)[2] + 0.08;
}

/** Moved at least 6 cm along `(dx, dy)` since the start, and released. */
export function pushed(name: string, dx: number, dy: number): Predicate {
  return (env, start) => {
    const [x, y] = env.bodyPosition(name);
    const [sx, sy] = startOf(start, name);
    return (x - sx) * dx + (y - sy) * dy > 0.06 && !env.isTouched(name);
  };
}

/** The drawer is open by at least 9 cm. */
export const drawerOpen: Predicate = (env) => env.drawerOpening() > 0.09;
/** The drawer is closed to within 1.5 cm. */
export const drawerClosed: Predicate = (env) => env.drawerOpening() < 0.015;
/** The lamp is on. */
export const lightIsOn: Predicate = (env) => env.lightOn();
/** The lamp is off. */
export const lightIsOff: Predicate = (env) => !env.lightOn();

/** All predicates hold at once (LIBERO's long tasks check every goal at the end). */
export function allOf(...predicates: Predicate[]): Predicate {
  return (env, start) => predicates.every((p) => p(env, start));
}

function startOf(start: StartPositions, name: string): Vec3 {
  const p = start[name];
  if (!p) throw new BenchError(`no start position recorded for "${name}"`);
  return p;
}

/** Records where every movable object is now. */
export function recordStart(env: TabletopEnv): StartPositions {
  const out: Record<string, Vec3> = {};
  for (const o of env.spec.objects) out[o.name] = env.bodyPosition(o.name);
  return out;
}
