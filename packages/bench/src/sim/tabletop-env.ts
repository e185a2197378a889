import type { MjData, MjModel } from 'mujoco-js';
import { BenchError } from '../errors.js';
import { ACTION_DIM, type Observation, type RgbImage } from '../types.js';
import { compileMjcf, type Physics } from './mujoco.js';
import { type PixelProjection, projectToPixel, RayCastCamera } from './ray-cast-camera.js';
import {
  axisAngleToMat,
  matMul,
  matToAxisAngle,
  matToYawPitchRoll,
  wrapAngle,
  yawPitchRollToMat,
} from './rotation.js';
import { GEOMETRY, halfHeight, type MovableSpec, type SceneSpec, sceneXml } from './scene-xml.js';

/** Where things start: objects by name (z defaults to resting on the table), fixtures, drawer and lamp. */
export interface Layout {
  readonly objects: Readonly<Record<string, { x: number; y: number; z?: number; yaw?: number }>>;
  readonly plate?: { x: number; y: number };
  readonly tray?: { x: number; y: number };
  readonly button?: { x: number; y: number };
  /** Drawer opening in metres, 0 (closed) to `GEOMETRY.drawerTravel`. */
  readonly drawer?: number;
  readonly lightOn?: boolean;
  /** Gripper start (the grasp point); defaults to `HOME`. */
  readonly gripper?: { x: number; y: number; z: number };
}

/** Options of the tabletop environment. */
export interface TabletopOptions {
  /** Square image size in pixels for both cameras (default 64). */
  readonly imageSize?: number;
  /** Set false to skip rendering, e.g. for scripted experts (images are then 0×0). */
  readonly render?: boolean;
  /** Control frequency in Hz (default 20, as LIBERO). */
  readonly controlHz?: number;
  /** Metres moved per step by a position action of 1 (default 0.02). */
  readonly positionScale?: number;
  /** Radians turned per step by a rotation action of 1 (default 0.15). */
  readonly rotationScale?: number;
}

/** The gripper's grasp point at reset. */
export const HOME = { x: 0, y: -0.15, z: 0.25 } as const;
const LAMP_ON: readonly [number, number, number] = [1, 0.92, 0.35];
const EMPTY_IMAGE: RgbImage = { width: 0, height: 0, data: new Uint8Array(0) };

/** A 3-vector. */
export type Vec3 = [number, number, number];

/** The scene's two cameras. */
export type CameraName = 'agentview' | 'wrist';

/**
 * The tabletop scene on MuJoCo: 7-D end-effector delta control at 20 Hz over 2 ms physics steps,
 * two ray-cast cameras, and typed queries of the physics state for predicates and experts.
 */
export class TabletopEnv {
  readonly spec: SceneSpec;
  readonly physics: Physics;
  readonly options: Required<TabletopOptions>;
  private readonly model: MjModel;
  private readonly data: MjData;
  private readonly substeps: number;
  private readonly agentCamera?: RayCastCamera;
  private readonly wristCamera?: RayCastCamera;
  private readonly ids: {
    joints: Record<string, number>;
    bodies: Record<string, number>;
    geoms: Record<string, number>;
    grip: number;
    lampGeom: number;
  };
  private target = {
    pos: [HOME.x, HOME.y, HOME.z] as Vec3,
    rot: yawPitchRollToMat(0, 0, 0),
    yaw: 0,
    grip: 0,
  };
  private lit = false;
  private pressed = false;

  private constructor(spec: SceneSpec, physics: Physics, options: Required<TabletopOptions>) {
    this.spec = spec;
    this.physics = physics;
    this.options = options;
    this.model = physics.model;
    this.data = physics.data;
    this.substeps = Math.max(1, Math.round(1 / (options.controlHz * this.model.opt.timestep)));
    const { mj, model } = physics;
    const id = (kind: number, name: string) => mj.mj_name2id(model, kind, name);
    const jointNames = [
      'ee_x',
      'ee_y',
      'ee_z',
      'ee_yaw',
      'ee_pitch',
      'ee_roll',
      'finger_left_slide',
      'finger_right_slide',
      'button_press',
      'drawer_slide',
    ];
    const joints: Record<string, number> = {};
    for (const name of jointNames) joints[name] = id(mj.mjtObj.mjOBJ_JOINT.value, name);
    for (const o of spec.objects) joints[o.name] = id(mj.mjtObj.mjOBJ_JOINT.value, `${o.name}_free`);
    const bodies: Record<string, number> = {};
    for (const name of [
      'hand',
      'plate',
      'tray',
      'button_base',
      'drawer',
      ...spec.objects.map((o) => o.name),
    ]) {
      bodies[name] = id(mj.mjtObj.mjOBJ_BODY.value, name);
    }
    const geoms: Record<string, number> = {};
    for (const name of [
      'finger_left_geom',
      'finger_right_geom',
      'drawer_handle',
      ...spec.objects.map((o) => `${o.name}_geom`),
    ]) {
      geoms[name] = id(mj.mjtObj.mjOBJ_GEOM.value, name);
    }
    this.ids = {
      joints,
      bodies,
      geoms,
      grip: id(mj.mjtObj.mjOBJ_SITE.value, 'grip'),
      lampGeom: id(mj.mjtObj.mjOBJ_GEOM.value, 'lamp_bulb'),
    };
    if (options.render) {
      this.agentCamera = new RayCastCamera(physics, 'agentview', options.imageSize, options.imageSize);
      this.wristCamera = new RayCastCamera(physics, 'wrist', options.imageSize, options.imageSize);
    }
  }

  /** Compiles the scene. Call `dispose` when done. */
  static async create(spec: SceneSpec, options: TabletopOptions = {}): Promise<TabletopEnv> {
    const resolved: Required<TabletopOptions> = {
      imageSize: options.imageSize ?? 64,
      render: options.render ?? true,
      controlHz: options.controlHz ?? 20,
      positionScale: options.positionScale ?? 0.02,
      rotationScale: options.rotationScale ?? 0.15,
    };
    if (!Number.isInteger(resolved.imageSize) || resolved.imageSize < 8 || resolved.imageSize > 1024) {
      throw new BenchError(
        `TabletopEnv: imageSize must be an integer in [8, 1024], got ${resolved.imageSize}`,
      );
    }
    const physics = await compileMjcf(sceneXml(spec));
    return new TabletopEnv(spec, physics, resolved);
  }

  /** Puts everything where `layout` says, lets it settle for 0.1 s, and clears the lamp latch. */
  reset(layout: Layout): void {
    const { mj } = this.physics;
    const { model, data } = this;
    mj.mj_resetData(model, data);
    const qpos = data.qpos as Float64Array;
    const adr = model.jnt_qposadr as Int32Array;
    const j = this.ids.joints;
    const start = layout.gripper ?? HOME;
    qpos[adr[j.ee_x]] = start.x;
    qpos[adr[j.ee_y]] = start.y;
    qpos[adr[j.ee_z]] = start.z;
    this.target = { pos: [start.x, start.y, start.z], rot: yawPitchRollToMat(0, 0, 0), yaw: 0, grip: 0 };
    for (const o of this.spec.objects) {
      const place = layout.objects[o.name];
      if (!place) throw new BenchError(`layout has no position for scene object "${o.name}"`);
      const a = adr[j[o.name]];
      const yaw = place.yaw ?? 0;
      qpos.set(
        [place.x, place.y, place.z ?? halfHeight(o) + 0.0005, Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)],
        a,
      );
    }
    const mocapIds = model.body_mocapid as Int32Array;
    const mocap = data.mocap_pos as Float64Array;
    for (const [body, place] of [
      ['plate', layout.plate],
      ['tray', layout.tray],
      ['button_base', layout.button],
    ] as const) {
      const b = this.ids.bodies[body];
      if (b < 0) continue;
      if (!place) throw new BenchError(`layout has no position for fixture "${body}"`);
      mocap.set([place.x, place.y, 0], mocapIds[b] * 3);
    }
    if (j.drawer_slide >= 0) qpos[adr[j.drawer_slide]] = layout.drawer ?? 0;
    this.lit = layout.lightOn ?? false;
    this.pressed = false;
    this.applyTargets();
    mj.mj_forward(model, data);
    for (let i = 0; i < 50; i++) mj.mj_step(model, data);
  }

  /** Applies one 7-D action (clipped to [−1, 1]) for one control period. */
  step(action: ArrayLike<number>): void {
    if (action.length !== ACTION_DIM)
      throw new BenchError(`TabletopEnv.step: action must have ${ACTION_DIM} values, got ${action.length}`);
    const a = new Float64Array(ACTION_DIM);
    for (let i = 0; i < ACTION_DIM; i++) {
      const v = action[i];
      if (!Number.isFinite(v))
        throw new BenchError(`TabletopEnv.step: action[${i}] is ${v}; actions must be finite`);
      a[i] = Math.max(-1, Math.min(1, v));
    }
    const { positionScale, rotationScale } = this.options;
    const ws = GEOMETRY.workspace;
    const bounds = [ws.x, ws.y, ws.z];
    for (let i = 0; i < 3; i++) {
      this.target.pos[i] = Math.max(
        bounds[i][0],
        Math.min(bounds[i][1], this.target.pos[i] + a[i] * positionScale),
      );
    }
    const turned = matMul(
      axisAngleToMat([a[3] * rotationScale, a[4] * rotationScale, a[5] * rotationScale]),
      this.target.rot,
    );
    const [yaw, pitch, roll] = matToYawPitchRoll(turned);
    // Unwrap yaw so the hinge never spins the long way round; the hinge range is ±3.1 rad.
    const unwrapped = Math.max(-3.1, Math.min(3.1, this.target.yaw + wrapAngle(yaw - this.target.yaw)));
    const clampedPitch = Math.max(-1.1, Math.min(1.1, pitch));
    const clampedRoll = Math.max(-1.1, Math.min(1.1, roll));
    this.target.yaw = unwrapped;
    this.target.rot = yawPitchRollToMat(unwrapped, clampedPitch, clampedRoll);
    this.target.grip = a[6] > 0 ? 1 : 0;
    this.applyTargets();
    const { mj } = this.physics;
    const qpos = this.data.qpos as Float64Array;
    const buttonAdr =
      this.ids.joints.button_press >= 0
        ? (this.model.jnt_qposadr as Int32Array)[this.ids.joints.button_press]
        : -1;
    for (let i = 0; i < this.substeps; i++) {
      mj.mj_step(this.model, this.data);
      if (buttonAdr >= 0) {
        const down = qpos[buttonAdr] < -GEOMETRY.buttonPressDepth;
        // The lamp toggles on each press, like CALVIN's light switch.
        if (down && !this.pressed) this.lit = !this.lit;
        this.pressed = down;
      }
    }
  }

  private applyTargets(): void {
    const ctrl = this.data.ctrl as Float64Array;
    const [, pitch, roll] = matToYawPitchRoll(this.target.rot);
    const finger = this.target.grip * GEOMETRY.fingerTravel;
    ctrl.set([
      this.target.pos[0],
      this.target.pos[1],
      this.target.pos[2],
      this.target.yaw,
      pitch,
      roll,
      finger,
      finger,
    ]);
  }

  /** The 8-D proprioceptive state: grasp point (3), hand orientation as axis-angle (3), finger offsets (2). */
  proprioception(): Float64Array {
    const state = new Float64Array(8);
    state.set(this.gripperPosition(), 0);
    const hand = this.ids.bodies.hand;
    state.set(matToAxisAngle((this.data.xmat as Float64Array).subarray(hand * 9, hand * 9 + 9)), 3);
    const half = this.gripperHalfGap();
    state[6] = half;
    state[7] = -half;
    return state;
  }

  /** Renders both cameras (or returns empty images when rendering is off) with the given instruction. */
  observe(instruction: string): Observation {
    const overrides =
      this.lit && this.ids.lampGeom >= 0 ? new Map([[this.ids.lampGeom, LAMP_ON]]) : undefined;
    return {
      image: this.agentCamera?.render(overrides) ?? EMPTY_IMAGE,
      wristImage: this.wristCamera?.render(overrides) ?? EMPTY_IMAGE,
      state: this.proprioception(),
      instruction,
    };
  }

  /** The grasp point between the fingertips. */
  gripperPosition(): Vec3 {
    const s = this.ids.grip * 3;
    const p = this.data.site_xpos as Float64Array;
    return [p[s], p[s + 1], p[s + 2]];
  }

  /** The commanded yaw of the gripper. */
  gripperYaw(): number {
    return this.target.yaw;
  }

  /** Half the gap between the finger pads (0.044 m open, about 0 closed on nothing). */
  gripperHalfGap(): number {
    const qpos = this.data.qpos as Float64Array;
    const adr = this.model.jnt_qposadr as Int32Array;
    const mean =
      (qpos[adr[this.ids.joints.finger_left_slide]] + qpos[adr[this.ids.joints.finger_right_slide]]) / 2;
    return 0.044 - mean;
  }

  /** True while the gripper is commanded closed. */
  gripperClosed(): boolean {
    return this.target.grip === 1;
  }

  /** The movable object called `name`. */
  object(name: string): MovableSpec {
    const spec = this.spec.objects.find((o) => o.name === name);
    if (!spec) throw new BenchError(`"${name}" is not a movable object in the scene`);
    return spec;
  }

  /** World position of a body (an object or a fixture). */
  bodyPosition(name: string): Vec3 {
    const b = this.ids.bodies[name] ?? this.bodyId(name);
    if (b < 0) throw new BenchError(`"${name}" is not in the scene`);
    const x = this.data.xpos as Float64Array;
    return [x[b * 3], x[b * 3 + 1], x[b * 3 + 2]];
  }

  /** Yaw of a body about the world z axis. */
  bodyYaw(name: string): number {
    const b = this.ids.bodies[name] ?? this.bodyId(name);
    const m = this.data.xmat as Float64Array;
    return Math.atan2(m[b * 9 + 3], m[b * 9]);
  }

  /** World orientation of a body as a row-major 3×3 rotation matrix (columns: the body's axes in world). */
  bodyRotation(name: string): number[] {
    const b = this.ids.bodies[name] ?? this.bodyId(name);
    if (b < 0) throw new BenchError(`"${name}" is not in the scene`);
    return Array.from((this.data.xmat as Float64Array).subarray(b * 9, b * 9 + 9));
  }

  /**
   * Where a world point lands in `camera`'s `imageSize`² image, in pixels (see `projectToPixel`); it works
   * with rendering off too. Poses are those of the last physics step, the ones the next render shows.
   */
  projectToImage(point: ArrayLike<number>, camera: CameraName = 'agentview'): PixelProjection {
    const size = this.options.imageSize;
    return projectToPixel(this.physics, camera, size, size, point);
  }

  /**
   * Which pixels of the latest render of `camera` (by `observe`) show a geom of body `name` (an object, or a
   * fixture such as `plate` or `tray`): 1 there, 0 elsewhere, row-major. Its sum is the body's visible area.
   */
  bodyMask(name: string, camera: CameraName = 'agentview'): Uint8Array {
    const view = camera === 'agentview' ? this.agentCamera : this.wristCamera;
    if (!view) throw new BenchError('TabletopEnv.bodyMask: rendering is off');
    const b = this.ids.bodies[name] ?? this.bodyId(name);
    if (b < 0) throw new BenchError(`"${name}" is not in the scene`);
    const ids = view.lastGeomIds();
    const bodyOf = this.model.geom_bodyid as Int32Array;
    return Uint8Array.from(ids, (g) => (g >= 0 && bodyOf[g] === b ? 1 : 0));
  }

  private bodyId(name: string): number {
    const { mj } = this.physics;
    return mj.mj_name2id(this.model, mj.mjtObj.mjOBJ_BODY.value, name);
  }

  /** Drawer opening in metres (0 when closed), or NaN when the scene has no cabinet. */
  drawerOpening(): number {
    const j = this.ids.joints.drawer_slide;
    if (j < 0) return Number.NaN;
    return (this.data.qpos as Float64Array)[(this.model.jnt_qposadr as Int32Array)[j]];
  }

  /** Position of the drawer handle's grasp point. */
  drawerHandlePosition(): Vec3 {
    const g = this.ids.geoms.drawer_handle;
    if (g < 0) throw new BenchError('the scene has no cabinet');
    const x = this.data.geom_xpos as Float64Array;
    return [x[g * 3], x[g * 3 + 1], x[g * 3 + 2]];
  }

  /** Whether the lamp is on. */
  lightOn(): boolean {
    return this.lit;
  }

  /** True when both finger pads touch the object. */
  isGrasped(name: string): boolean {
    const { left, right } = this.fingerContacts(name);
    return left && right;
  }

  /** True when either finger touches the object: placed objects must be let go of entirely. */
  isTouched(name: string): boolean {
    const { left, right } = this.fingerContacts(name);
    return left || right;
  }

  /** True when a finger touches anything other than the other finger (an object, a handle, the table). */
  fingersInContact(): boolean {
    const fingers = [this.ids.geoms.finger_left_geom, this.ids.geoms.finger_right_geom];
    const contacts = this.data.contact;
    for (let i = 0; i < this.data.ncon; i++) {
      const c = contacts.get(i);
      if (!c) continue;
      const a = fingers.includes(c.geom1);
      const b = fingers.includes(c.geom2);
      c.delete();
      if (a !== b) return true;
    }
    return false;
  }

  private fingerContacts(name: string): { left: boolean; right: boolean } {
    const target = this.ids.geoms[`${name}_geom`];
    if (target === undefined || target < 0)
      throw new BenchError(`"${name}" is not a movable object of this scene`);
    const leftFinger = this.ids.geoms.finger_left_geom;
    const rightFinger = this.ids.geoms.finger_right_geom;
    let left = false;
    let right = false;
    const contacts = this.data.contact;
    const n = this.data.ncon;
    for (let i = 0; i < n; i++) {
      const c = contacts.get(i);
      if (!c) continue;
      const g1 = c.geom1;
      const g2 = c.geom2;
      c.delete();
      if (g1 !== target && g2 !== target) continue;
      const other = g1 === target ? g2 : g1;
      if (other === leftFinger) left = true;
      if (other === rightFinger) right = true;
    }
    return { left, right };
  }

  /** Frees the WebAssembly model, data and camera buffers. */
  dispose(): void {
    this.agentCamera?.dispose();
    this.wristCamera?.dispose();
    this.physics.dispose();
  }
}
