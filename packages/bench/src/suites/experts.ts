import { GEOMETRY, halfHeight } from '../sim/scene-xml.js';
import type { TabletopEnv } from '../sim/tabletop-env.js';
import {
  closeDrawer,
  deferred,
  openDrawer,
  pick,
  placeAt,
  pressButton,
  push,
  type Skill,
  sequence,
} from './skills.js';

function half(env: TabletopEnv, name: string): number {
  return halfHeight(env.object(name));
}

/** Expert: pick `name` and put it on the plate. */
export function putOnPlate(name: string): Skill {
  return sequence(
    pick(name),
    deferredPlace('plate', (env) => 2 * GEOMETRY.plateHalfHeight + half(env, name) + 0.012),
  );
}

/** Expert: pick `name` and put it in the tray, `offset` from its centre. */
export function putInTray(name: string, offset: [number, number] = [0, 0]): Skill {
  return sequence(
    pick(name),
    deferredPlace('tray', (env) => 0.008 + half(env, name) + 0.012, offset),
  );
}

/** Expert: pick `top` and stack it on `bottom`. */
export function stack(top: string, bottom: string): Skill {
  return sequence(
    pick(top),
    deferredPlace(bottom, (env) => env.bodyPosition(bottom)[2] + half(env, bottom) + half(env, top) + 0.012),
  );
}

/** Places the held object over `target` (plus `offset`), releasing at a height known only once it is held. */
function deferredPlace(
  target: string,
  releaseZ: (env: TabletopEnv) => number,
  offset: [number, number] = [0, 0],
): Skill {
  return deferred((env) =>
    placeAt(
      (e) => {
        const [x, y] = e.bodyPosition(target);
        return [x + offset[0], y + offset[1]];
      },
      releaseZ(env),
      target,
    ),
  );
}

/** Expert: lift `name` to cruise height and hold it. */
export function lift(name: string): Skill {
  return pick(name);
}

/** Expert: push `name` 9 cm along `(dx, dy)`. */
export function pushBy(name: string, dx: number, dy: number): Skill {
  return push(name, dx, dy, 0.09);
}

export { closeDrawer, openDrawer, pressButton };
