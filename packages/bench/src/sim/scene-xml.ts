import { BenchError } from '../errors.js';
/**
 * MJCF for the tabletop scene: a table, a 6-DoF gantry carrying a parallel gripper (three slide and three hinge
 * joints under position control), movable blocks and cylinders, and optional fixtures: a plate, a tray, a
 * button with a lamp, and a cabinet with a drawer.
 */

/** An RGB colour with channels in [0, 1]. */
export type Rgb = readonly [number, number, number];

/** A movable object: a 5 cm cube or a 4.4 cm × 6 cm upright cylinder. */
export interface MovableSpec {
  readonly name: string;
  readonly shape: 'cube' | 'cylinder';
  readonly color: Rgb;
}

/** Which fixtures the scene contains. Plate, tray and button are placed at reset; the cabinet is fixed. */
export interface FixtureSet {
  readonly plate?: boolean;
  readonly tray?: boolean;
  readonly button?: boolean;
  readonly cabinet?: boolean;
}

/** Everything that decides the compiled model. */
export interface SceneSpec {
  readonly objects: readonly MovableSpec[];
  readonly fixtures: FixtureSet;
}

/** Geometry constants shared by the XML, the predicates and the experts (metres). */
export const GEOMETRY = {
  cubeHalf: 0.025,
  cylinderRadius: 0.022,
  cylinderHalfHeight: 0.03,
  plateRadius: 0.075,
  plateHalfHeight: 0.006,
  trayHalf: 0.09,
  trayWallHalfHeight: 0.02,
  buttonCapRadius: 0.022,
  /** Cap travel below which the button counts as pressed. */
  buttonPressDepth: 0.007,
  cabinet: { x: -0.22, y: 0.2, halfX: 0.1, halfY: 0.09, height: 0.11 },
  drawerTravel: 0.14,
  /** Finger travel from open (0) to fully closed. */
  fingerTravel: 0.04,
  workspace: { x: [-0.32, 0.32], y: [-0.3, 0.3], z: [0.005, 0.4] },
} as const;

/** A camera fixed in the world, in the terms of its MJCF `<camera>` element. */
export interface CameraSpec {
  /** Position in world coordinates (metres). */
  readonly pos: readonly [number, number, number];
  /**
   * MJCF `xyaxes`: the camera's x axis (image right) then its y axis (image up), in world coordinates. They
   * need not be unit or orthogonal: MuJoCo normalizes x, makes y orthogonal to x and normalizes it. The camera
   * looks along −(x × y).
   */
  readonly xyaxes: readonly [number, number, number, number, number, number];
  /** Vertical field of view in degrees (MuJoCo reads `fovy` in degrees whatever the compiler's angle unit). */
  readonly fovy: number;
}

/**
 * The agent-view camera, fixed in the world: 0.72 m in front of the table centre (−y), 0.62 m up, looking down
 * at about 40° with a 50° vertical field of view. The scene's `<camera name="agentview">` is written from it.
 */
export const AGENT_VIEW_CAMERA: CameraSpec = {
  pos: [0, -0.72, 0.62],
  xyaxes: [1, 0, 0, 0, 0.64, 0.77],
  fovy: 50,
};

/** Half the height of a movable object: its centre's height when it rests on the table. */
export function halfHeight(spec: MovableSpec): number {
  return spec.shape === 'cube' ? GEOMETRY.cubeHalf : GEOMETRY.cylinderHalfHeight;
}

const f = (values: readonly number[]): string => values.map((v) => Number(v.toFixed(5))).join(' ');

function movableXml(spec: MovableSpec): string {
  const rgba = f([...spec.color, 1]);
  const g = GEOMETRY;
  const geom =
    spec.shape === 'cube'
      ? `type="box" size="${f([g.cubeHalf, g.cubeHalf, g.cubeHalf])}"`
      : `type="cylinder" size="${f([g.cylinderRadius, g.cylinderHalfHeight])}"`;
  return `<body name="${spec.name}" pos="0 0 0.5"><freejoint name="${spec.name}_free"/>
<geom name="${spec.name}_geom" ${geom} rgba="${rgba}" mass="0.06" friction="1.5 0.02 0.002" condim="4"/></body>`;
}

function plateXml(): string {
  const g = GEOMETRY;
  return `<body name="plate" mocap="true" pos="0 0 0"><geom name="plate_geom" type="cylinder" size="${f([g.plateRadius, g.plateHalfHeight])}" pos="0 0 ${g.plateHalfHeight}" rgba="0.93 0.93 0.9 1"/></body>`;
}

function trayXml(): string {
  const { trayHalf: h, trayWallHalfHeight: w } = GEOMETRY;
  const t = 0.006;
  const rgba = 'rgba="0.55 0.36 0.2 1"';
  return `<body name="tray" mocap="true" pos="0 0 0">
<geom name="tray_bottom" type="box" size="${f([h, h, 0.004])}" pos="0 0 0.004" ${rgba}/>
<geom name="tray_wall_n" type="box" size="${f([h, t, w])}" pos="${f([0, h - t, w])}" ${rgba}/>
<geom name="tray_wall_s" type="box" size="${f([h, t, w])}" pos="${f([0, -h + t, w])}" ${rgba}/>
<geom name="tray_wall_e" type="box" size="${f([t, h, w])}" pos="${f([h - t, 0, w])}" ${rgba}/>
<geom name="tray_wall_w" type="box" size="${f([t, h, w])}" pos="${f([-h + t, 0, w])}" ${rgba}/></body>`;
}

function buttonXml(): string {
  const g = GEOMETRY;
  return `<body name="button_base" mocap="true" pos="0 0 0">
<geom name="button_housing" type="box" size="0.035 0.035 0.012" pos="0 0 0.012" rgba="0.3 0.3 0.32 1"/>
<!-- Every rendered geom must collide: mj_multiRay skips geoms with contype = conaffinity = 0. -->
<geom name="lamp_post" type="cylinder" size="0.005 0.04" pos="0 0.075 0.04" rgba="0.3 0.3 0.32 1"/>
<geom name="lamp_bulb" type="sphere" size="0.025" pos="0 0.075 0.095" rgba="0.35 0.35 0.3 1"/>
<body name="button_cap" pos="0 0 0.034"><joint name="button_press" type="slide" axis="0 0 1" range="-0.012 0" stiffness="80" damping="2" limited="true"/>
<geom name="button_cap_geom" type="cylinder" size="${f([g.buttonCapRadius, 0.008])}" rgba="0.85 0.1 0.1 1" mass="0.02"/></body></body>`;
}

function cabinetXml(): string {
  const { x, y, halfX, halfY, height } = GEOMETRY.cabinet;
  const t = 0.008;
  const wood = 'rgba="0.62 0.45 0.3 1"';
  const drawerWood = 'rgba="0.7 0.55 0.38 1"';
  // Clearances keep the drawer from touching the carcass, so it slides freely.
  const innerX = halfX - 2 * t;
  const drawerHalfHeight = (height - 4 * t) / 2 - 0.002;
  // The drawer slides out along −y (towards the robot) by up to drawerTravel.
  return `<body name="cabinet" pos="${f([x, y, 0])}">
<geom name="cabinet_top" type="box" size="${f([halfX, halfY, t])}" pos="${f([0, 0, height - t])}" ${wood}/>
<geom name="cabinet_base" type="box" size="${f([halfX, halfY, t])}" pos="${f([0, 0, t])}" ${wood}/>
<geom name="cabinet_left" type="box" size="${f([t, halfY, height / 2])}" pos="${f([-halfX + t, 0, height / 2])}" ${wood}/>
<geom name="cabinet_right" type="box" size="${f([t, halfY, height / 2])}" pos="${f([halfX - t, 0, height / 2])}" ${wood}/>
<geom name="cabinet_back" type="box" size="${f([halfX, t, height / 2])}" pos="${f([0, halfY - t, height / 2])}" ${wood}/>
<body name="drawer" pos="${f([0, 0, 2 * t + drawerHalfHeight + 0.002])}">
<joint name="drawer_slide" type="slide" axis="0 -1 0" range="0 ${GEOMETRY.drawerTravel}" damping="8" limited="true"/>
<geom name="drawer_bottom" type="box" size="${f([innerX - 0.004, halfY - 2 * t, 0.004])}" pos="${f([0, 0, -drawerHalfHeight + 0.004])}" ${drawerWood} mass="0.3"/>
<geom name="drawer_front" type="box" size="${f([innerX - 0.003, t, drawerHalfHeight])}" pos="${f([0, -halfY + t, 0])}" ${drawerWood} mass="0.1"/>
<geom name="drawer_back" type="box" size="${f([innerX - 0.004, t / 2, drawerHalfHeight * 0.8])}" pos="${f([0, halfY - 3 * t, -drawerHalfHeight * 0.2])}" ${drawerWood} mass="0.05"/>
<geom name="drawer_side_l" type="box" size="${f([t / 2, halfY - 2 * t, drawerHalfHeight * 0.8])}" pos="${f([-innerX + 0.006, 0, -drawerHalfHeight * 0.2])}" ${drawerWood} mass="0.05"/>
<geom name="drawer_side_r" type="box" size="${f([t / 2, halfY - 2 * t, drawerHalfHeight * 0.8])}" pos="${f([innerX - 0.006, 0, -drawerHalfHeight * 0.2])}" ${drawerWood} mass="0.05"/>
<geom name="drawer_handle_post_l" type="box" size="0.005 0.014 0.005" pos="${f([-0.02, -halfY - 0.014, 0])}" rgba="0.2 0.2 0.2 1" mass="0.01"/>
<geom name="drawer_handle_post_r" type="box" size="0.005 0.014 0.005" pos="${f([0.02, -halfY - 0.014, 0])}" rgba="0.2 0.2 0.2 1" mass="0.01"/>
<geom name="drawer_handle" type="box" size="0.028 0.006 0.008" pos="${f([0, -halfY - 0.034, 0])}" rgba="0.2 0.2 0.2 1" mass="0.01"/>
</body></body>`;
}

function gripperXml(): string {
  const [x0, x1] = GEOMETRY.workspace.x;
  const [y0, y1] = GEOMETRY.workspace.y;
  const [z0, z1] = GEOMETRY.workspace.z;
  const travel = GEOMETRY.fingerTravel;
  const grey = 'rgba="0.55 0.57 0.6 1"';
  // The hand origin is the grasp point between the fingertips; the hinges pivot about it.
  return `<body name="gantry" pos="0 0 0" gravcomp="1">
<joint name="ee_x" type="slide" axis="1 0 0" range="${f([x0, x1])}" damping="120"/>
<joint name="ee_y" type="slide" axis="0 1 0" range="${f([y0, y1])}" damping="120"/>
<joint name="ee_z" type="slide" axis="0 0 1" range="${f([z0, z1])}" damping="120"/>
<inertial pos="0 0 0" mass="1" diaginertia="0.01 0.01 0.01"/>
<body name="wrist" gravcomp="1">
<joint name="ee_yaw" type="hinge" axis="0 0 1" range="-3.2 3.2" damping="3"/>
<joint name="ee_pitch" type="hinge" axis="0 1 0" range="-1.2 1.2" damping="3"/>
<joint name="ee_roll" type="hinge" axis="1 0 0" range="-1.2 1.2" damping="3"/>
<inertial pos="0 0 0" mass="0.2" diaginertia="0.002 0.002 0.002"/>
<body name="hand" gravcomp="1">
<inertial pos="0 0 0.08" mass="0.3" diaginertia="0.002 0.002 0.002"/>
<site name="grip" pos="0 0 0" size="0.005"/>
<geom name="palm" type="box" size="0.06 0.02 0.012" pos="0 0 0.075" ${grey}/>
<geom name="wrist_link" type="cylinder" size="0.018 0.05" pos="0 0 0.135" rgba="0.35 0.37 0.4 1"/>
<camera name="wrist" pos="0 -0.075 0.13" mode="fixed" xyaxes="1 0 0 0 0.866 0.5" fovy="75"/>
<body name="finger_left" pos="-0.05 0 0.025" gravcomp="1">
<joint name="finger_left_slide" type="slide" axis="1 0 0" range="0 ${travel}" damping="2"/>
<geom name="finger_left_geom" type="box" size="0.006 0.013 0.038" ${grey} mass="0.03" friction="2 0.02 0.002" condim="4"/></body>
<body name="finger_right" pos="0.05 0 0.025" gravcomp="1">
<joint name="finger_right_slide" type="slide" axis="-1 0 0" range="0 ${travel}" damping="2"/>
<geom name="finger_right_geom" type="box" size="0.006 0.013 0.038" ${grey} mass="0.03" friction="2 0.02 0.002" condim="4"/></body>
</body></body></body>`;
}

function actuatorsXml(): string {
  const travel = GEOMETRY.fingerTravel;
  return `<actuator>
<position name="act_x" joint="ee_x" kp="2500" ctrlrange="-1 1" ctrllimited="false"/>
<position name="act_y" joint="ee_y" kp="2500" ctrlrange="-1 1" ctrllimited="false"/>
<position name="act_z" joint="ee_z" kp="2500" ctrlrange="-1 1" ctrllimited="false"/>
<position name="act_yaw" joint="ee_yaw" kp="60" ctrllimited="false"/>
<position name="act_pitch" joint="ee_pitch" kp="60" ctrllimited="false"/>
<position name="act_roll" joint="ee_roll" kp="60" ctrllimited="false"/>
<position name="act_finger_left" joint="finger_left_slide" kp="400" ctrlrange="0 ${travel}" forcelimited="true" forcerange="-25 25"/>
<position name="act_finger_right" joint="finger_right_slide" kp="400" ctrlrange="0 ${travel}" forcelimited="true" forcerange="-25 25"/>
</actuator>`;
}

/** Compiles a scene description to MJCF text. */
export function sceneXml(spec: SceneSpec): string {
  const names = new Set<string>();
  for (const o of spec.objects) {
    if (!/^[a-z][a-z0-9_]*$/.test(o.name))
      throw new BenchError(`scene object "${o.name}": names are lower-case identifiers`);
    if (names.has(o.name)) throw new BenchError(`scene object "${o.name}" appears twice`);
    names.add(o.name);
  }
  const fx = spec.fixtures;
  return `<mujoco model="roboalign-tabletop">
<compiler angle="radian" autolimits="true"/>
<option timestep="0.002" integrator="implicitfast" cone="elliptic" impratio="10"/>
<default><geom solref="0.004 1" solimp="0.95 0.99 0.001"/></default>
<visual><global offwidth="224" offheight="224"/></visual>
<worldbody>
<geom name="table" type="plane" size="0.6 0.5 0.01" rgba="0.78 0.66 0.5 1"/>
<camera name="agentview" pos="${f(AGENT_VIEW_CAMERA.pos)}" mode="fixed" xyaxes="${f(AGENT_VIEW_CAMERA.xyaxes)}" fovy="${f([AGENT_VIEW_CAMERA.fovy])}"/>
${gripperXml()}
${fx.plate ? plateXml() : ''}
${fx.tray ? trayXml() : ''}
${fx.button ? buttonXml() : ''}
${fx.cabinet ? cabinetXml() : ''}
${spec.objects.map(movableXml).join('\n')}
</worldbody>
${fx.button ? '<contact><exclude body1="button_base" body2="button_cap"/></contact>' : ''}
${actuatorsXml()}
</mujoco>`;
}
