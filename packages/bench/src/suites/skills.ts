import { wrapAngle } from '../sim/rotation.js';
import { GEOMETRY } from '../sim/scene-xml.js';
import type { TabletopEnv, Vec3 } from '../sim/tabletop-env.js';

/** One step of a scripted skill: the action to take, or `null` when the skill is finished. */
export type Skill = (env: TabletopEnv) => Float64Array | null;

/** The steps the scripted experts are made of. */
export type ExpertStep =
  | 'open-gripper'
  | 'move-above'
  | 'lower-to'
  | 'close-gripper'
  | 'lift'
  | 'carry-above'
  | 'lower-onto'
  | 'release'
  | 'rise'
  | 'move-behind'
  | 'lower-behind'
  | 'push'
  | 'pull-open'
  | 'move-in-front'
  | 'push-closed'
  | 'press';

/**
 * What the scripted expert is doing at a step: privileged labels for robot-grounded data ("move above the red
 * block"). `target` names what the step acts on: an object (`red_block`), a fixture (`plate`, `tray`,
 * `button`) or `drawer`.
 */
export interface ExpertPhase {
  readonly step: ExpertStep;
  readonly target?: string;
}

/** The phase of the innermost labelled skill that produced the action being computed, per environment. */
const currentPhase = new WeakMap<TabletopEnv, ExpertPhase>();

/** Labels every action of `skill` with `phase` (the innermost label wins); read it with {@link stepWithPhase}. */
export function phased(phase: ExpertPhase, skill: Skill): Skill {
  return (env) => {
    const action = skill(env);
    if (action && !currentPhase.has(env)) currentPhase.set(env, phase);
    return action;
  };
}

/** Runs one step of `skill` and returns its action with the phase it belongs to (none when unlabelled or done). */
export function stepWithPhase(
  skill: Skill,
  env: TabletopEnv,
): { action: Float64Array | null; phase?: ExpertPhase } {
  currentPhase.delete(env);
  const action = skill(env);
  const phase = currentPhase.get(env);
  currentPhase.delete(env);
  return phase ? { action, phase } : { action };
}

/** Travel height of the grasp point: the fingertips then clear the 11 cm cabinet. */
const CRUISE_Z = 0.15;
const clip = (v: number) => Math.max(-1, Math.min(1, v));

/** Height of the grasp point that centres the fingers on an object resting with its centre at `z`. */
function graspHeight(objectZ: number): number {
  return Math.max(GEOMETRY.workspace.z[0] + 0.005, objectZ - 0.005);
}

/**
 * Moves the grasp point to `target` (re-read every step, so it can track a moving handle) at `yaw`,
 * holding the gripper open or closed; done within `tolerance` metres or after `maxSteps`.
 */
export function moveTo(
  target: (env: TabletopEnv) => Vec3,
  options: { grip: boolean; yaw?: (env: TabletopEnv) => number; tolerance?: number; maxSteps?: number },
): Skill {
  let steps = 0;
  const tolerance = options.tolerance ?? 0.004;
  const maxSteps = options.maxSteps ?? 60;
  return (env) => {
    const goal = target(env);
    const p = env.gripperPosition();
    const e = [goal[0] - p[0], goal[1] - p[1], goal[2] - p[2]];
    const yawError = options.yaw ? wrapAngle(options.yaw(env) - env.gripperYaw()) : 0;
    if ((Math.hypot(e[0], e[1], e[2]) < tolerance && Math.abs(yawError) < 0.03) || steps >= maxSteps)
      return null;
    steps++;
    const scale = env.options.positionScale;
    return new Float64Array([
      clip(e[0] / scale),
      clip(e[1] / scale),
      clip(e[2] / scale),
      0,
      0,
      clip(yawError / env.options.rotationScale),
      options.grip ? 1 : -1,
    ]);
  };
}

/** Opens or closes the gripper in place for `steps` control steps. */
export function setGripper(close: boolean, steps = 6): Skill {
  let done = 0;
  return () => (done++ < steps ? new Float64Array([0, 0, 0, 0, 0, 0, close ? 1 : -1]) : null);
}

/** Runs skills one after another. */
export function sequence(...skills: Skill[]): Skill {
  let i = 0;
  return (env) => {
    while (i < skills.length) {
      const a = skills[i](env);
      if (a) return a;
      i++;
    }
    return null;
  };
}

/** Builds the skill lazily when it starts, so it plans from the state at that moment. */
export function deferred(build: (env: TabletopEnv) => Skill): Skill {
  let skill: Skill | undefined;
  return (env) => {
    skill ??= build(env);
    return skill(env);
  };
}

/** The yaw, among the four grasp-equivalent ones of a cube, nearest to the gripper's current yaw. */
function cubeGraspYaw(env: TabletopEnv, name: string): number {
  const current = env.gripperYaw();
  const objectYaw = env.bodyYaw(name);
  return current + wrapAngle(4 * (objectYaw - current)) / 4;
}

/** Picks `name` up to cruise height. */
export function pick(name: string): Skill {
  return deferred((env) => {
    const isCube = env.object(name).shape === 'cube';
    const yaw = isCube ? cubeGraspYaw(env, name) : env.gripperYaw();
    const above = (e: TabletopEnv): Vec3 => {
      const [x, y] = e.bodyPosition(name);
      return [x, y, CRUISE_Z];
    };
    return sequence(
      phased({ step: 'open-gripper' }, setGripper(false, 2)),
      phased(
        { step: 'move-above', target: name },
        moveTo(above, { grip: false, yaw: () => yaw, tolerance: 0.006 }),
      ),
      phased(
        { step: 'lower-to', target: name },
        moveTo(
          (e) => {
            const [x, y, z] = e.bodyPosition(name);
            return [x, y, graspHeight(z)];
          },
          { grip: false, yaw: () => yaw, tolerance: 0.003, maxSteps: 40 },
        ),
      ),
      phased({ step: 'close-gripper', target: name }, setGripper(true, 6)),
      phased(
        { step: 'lift', target: name },
        moveTo((e) => [e.gripperPosition()[0], e.gripperPosition()[1], CRUISE_Z], {
          grip: true,
          tolerance: 0.01,
        }),
      ),
    );
  });
}

/**
 * Carries the held object above `where` and releases it with its centre at `releaseZ`; `target` names the
 * place (e.g. `plate`) in the expert's phases.
 */
export function placeAt(
  where: (env: TabletopEnv) => [number, number],
  releaseZ: number,
  target?: string,
): Skill {
  const about = target === undefined ? {} : { target };
  return sequence(
    phased(
      { step: 'carry-above', ...about },
      moveTo(
        (e) => {
          const [x, y] = where(e);
          return [x, y, CRUISE_Z];
        },
        { grip: true, tolerance: 0.006 },
      ),
    ),
    phased(
      { step: 'lower-onto', ...about },
      moveTo(
        (e) => {
          const [x, y] = where(e);
          return [x, y, releaseZ];
        },
        { grip: true, tolerance: 0.004, maxSteps: 40 },
      ),
    ),
    phased({ step: 'release' }, setGripper(false, 5)),
    phased(
      { step: 'rise' },
      moveTo((e) => [e.gripperPosition()[0], e.gripperPosition()[1], CRUISE_Z], {
        grip: false,
        tolerance: 0.01,
      }),
    ),
  );
}

/**
 * Pushes `name` by `distance` along the unit direction `(dx, dy)` with the closed fingers, closing the loop on
 * the object: the fingers stay on the line through its centre, face-aligned for cubes, so it does not spin off.
 */
export function push(name: string, dx: number, dy: number, distance: number): Skill {
  return deferred((env) => {
    const [x0, y0, z] = env.bodyPosition(name);
    const isCube = env.object(name).shape === 'cube';
    const yaw = isCube ? cubeGraspYaw(env, name) : 0;
    // Centre-to-centre distance at contact: half the object plus half the closed finger pair, plus margin.
    const contact = GEOMETRY.cubeHalf + 0.02;
    const low = Math.max(0.02, z - 0.005);
    const behind = (e: TabletopEnv, extra: number): Vec3 => {
      const [x, y] = e.bodyPosition(name);
      return [x - dx * (contact + extra), y - dy * (contact + extra), low];
    };
    const progress = (e: TabletopEnv) => {
      const [x, y] = e.bodyPosition(name);
      return (x - x0) * dx + (y - y0) * dy;
    };
    let pushing = 0;
    const drive: Skill = (e) => {
      if (progress(e) >= distance || pushing++ >= 60) return null;
      const [x, y] = e.bodyPosition(name);
      const p = e.gripperPosition();
      // Aim a little into the object along the push, and at its centre across the push.
      const target = [x - dx * (contact - 0.03), y - dy * (contact - 0.03), low];
      // Half speed, so the object moves with the fingers instead of sliding on ahead of them.
      const scale = 2 * e.options.positionScale;
      return new Float64Array([
        clip((target[0] - p[0]) / scale) / 2,
        clip((target[1] - p[1]) / scale) / 2,
        clip((target[2] - p[2]) / scale) / 2,
        0,
        0,
        clip(wrapAngle(yaw - e.gripperYaw()) / e.options.rotationScale),
        1,
      ]);
    };
    return sequence(
      phased(
        { step: 'move-behind', target: name },
        moveTo((e) => [...behind(e, 0.03).slice(0, 2), CRUISE_Z] as Vec3, {
          grip: true,
          yaw: () => yaw,
          tolerance: 0.006,
        }),
      ),
      phased(
        { step: 'lower-behind', target: name },
        moveTo((e) => behind(e, 0.03), { grip: true, yaw: () => yaw, tolerance: 0.004 }),
      ),
      phased({ step: 'push', target: name }, drive),
      phased(
        { step: 'rise' },
        moveTo((e) => [e.gripperPosition()[0] - dx * 0.02, e.gripperPosition()[1] - dy * 0.02, CRUISE_Z], {
          grip: true,
          tolerance: 0.01,
        }),
      ),
    );
  });
}

/** Grasps the drawer handle lengthwise and pulls it open. */
export function openDrawer(): Skill {
  return deferred((env) => {
    const [hx, hy, hz] = env.drawerHandlePosition();
    const pullTo = hy - (GEOMETRY.drawerTravel - env.drawerOpening()) + 0.01;
    const drawer = { target: 'drawer' } as const;
    return sequence(
      phased({ step: 'open-gripper' }, setGripper(false, 2)),
      phased(
        { step: 'move-above', ...drawer },
        moveTo(() => [hx, hy, hz + 0.08], { grip: false, yaw: () => 0, tolerance: 0.006 }),
      ),
      phased(
        { step: 'lower-to', ...drawer },
        moveTo(() => [hx, hy, hz], { grip: false, yaw: () => 0, tolerance: 0.003, maxSteps: 40 }),
      ),
      phased({ step: 'close-gripper', ...drawer }, setGripper(true, 6)),
      phased(
        { step: 'pull-open', ...drawer },
        moveTo(() => [hx, pullTo, hz], { grip: true, tolerance: 0.005, maxSteps: 60 }),
      ),
      phased({ step: 'release' }, setGripper(false, 5)),
      phased(
        { step: 'rise' },
        moveTo((e) => [e.gripperPosition()[0], e.gripperPosition()[1], CRUISE_Z], {
          grip: false,
          tolerance: 0.01,
        }),
      ),
    );
  });
}

/** Pushes the drawer shut with the closed fingers against the handle. */
export function closeDrawer(): Skill {
  return deferred((env) => {
    const [hx, hy, hz] = env.drawerHandlePosition();
    const front = hy - 0.03;
    const closedHandleY = hy + env.drawerOpening();
    const drawer = { target: 'drawer' } as const;
    return sequence(
      phased(
        { step: 'move-in-front', ...drawer },
        moveTo(() => [hx, front, hz + 0.08], { grip: true, yaw: () => 0, tolerance: 0.006 }),
      ),
      phased(
        { step: 'lower-to', ...drawer },
        moveTo(() => [hx, front, hz], { grip: true, tolerance: 0.004, maxSteps: 40 }),
      ),
      phased(
        { step: 'push-closed', ...drawer },
        moveTo(() => [hx, closedHandleY - 0.012, hz], { grip: true, tolerance: 0.004, maxSteps: 60 }),
      ),
      phased(
        { step: 'rise' },
        moveTo((e) => [e.gripperPosition()[0], e.gripperPosition()[1] - 0.04, CRUISE_Z], {
          grip: true,
          tolerance: 0.01,
        }),
      ),
    );
  });
}

/** Presses the button once with the closed fingers (toggles the lamp). */
export function pressButton(): Skill {
  return deferred((env) => {
    const [bx, by] = env.bodyPosition('button_base');
    const lit = env.lightOn();
    const button = { target: 'button' } as const;
    return sequence(
      phased(
        { step: 'move-above', ...button },
        moveTo(() => [bx, by, 0.12], { grip: true, yaw: () => 0, tolerance: 0.006 }),
      ),
      phased({ step: 'press', ...button }, (e) =>
        e.lightOn() !== lit
          ? null
          : moveTo(() => [bx, by, 0.025], { grip: true, tolerance: 0.002, maxSteps: 1 })(e),
      ),
      phased(
        { step: 'rise' },
        moveTo(() => [bx, by, 0.12], { grip: true, tolerance: 0.01 }),
      ),
    );
  });
}

/**
 * Leaves the scene clear before a new instruction: when low, rises and opens. Fingers touching something
 * open first (letting go of an object or a handle); free closed fingers rise first, since opening beside an
 * object would shove it.
 */
export function retreat(): Skill {
  return deferred((env) => {
    if (env.gripperPosition()[2] > CRUISE_Z - 0.04) return () => null;
    const rise = (grip: boolean) =>
      phased(
        { step: 'rise' },
        moveTo((e) => [e.gripperPosition()[0], e.gripperPosition()[1], CRUISE_Z], { grip, tolerance: 0.01 }),
      );
    const open = phased({ step: 'open-gripper' }, setGripper(false, 4));
    const holding = env.fingersInContact();
    return holding || !env.gripperClosed() ? sequence(open, rise(false)) : sequence(rise(true), open);
  });
}
