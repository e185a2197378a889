import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GEOMETRY, type SceneSpec } from '../../src/sim/scene-xml.js';
import { type Layout, TabletopEnv, type Vec3 } from '../../src/sim/tabletop-env.js';
import { block, can } from '../../src/suites/objects.js';
import {
  allOf,
  drawerClosed,
  drawerOpen,
  inTray,
  lifted,
  lightIsOff,
  lightIsOn,
  onPlate,
  pushed,
  recordStart,
  type StartPositions,
  stackedOn,
} from '../../src/suites/predicates.js';

// Every state below is built by hand: objects are put exactly where the predicate should (or should not) hold,
// and `reset` lets them settle for 0.1 s before the predicate is asked.
const SCENE: SceneSpec = {
  objects: [block('red'), block('green'), can('orange')],
  fixtures: { plate: true, tray: true, button: true, cabinet: true },
};
const PLATE = { x: -0.08, y: -0.17 };
const TRAY = { x: 0.17, y: -0.12 };
const { cubeHalf, cylinderHalfHeight, plateHalfHeight, plateRadius } = GEOMETRY;
/** Centre height of a cube resting on the plate / on the tray floor (8 mm thick). */
const CUBE_ON_PLATE = 2 * plateHalfHeight + cubeHalf;
const CUBE_IN_TRAY = 0.008 + cubeHalf;

type Place = { x: number; y: number; z?: number; yaw?: number };
const BASE_OBJECTS: Record<string, Place> = {
  red_block: { x: 0.02, y: 0.0 },
  green_block: { x: 0.1, y: 0.06 },
  orange_can: { x: -0.04, y: 0.1 },
};

function layout(objects: Record<string, Place> = {}, extra: Partial<Layout> = {}): Layout {
  return {
    objects: { ...BASE_OBJECTS, ...objects },
    plate: PLATE,
    tray: TRAY,
    button: { x: 0.22, y: 0.2 },
    ...extra,
  };
}

const NO_START: StartPositions = {};
let env: TabletopEnv;

beforeAll(async () => {
  env = await TabletopEnv.create(SCENE, { render: false });
});
afterAll(() => env?.dispose());

/** Steps the gripper in place with the fingers closed (+1) or open (−1). */
function holdGripper(close: boolean, steps: number): void {
  for (let i = 0; i < steps; i++) env.step([0, 0, 0, 0, 0, 0, close ? 1 : -1]);
}

describe('onPlate', () => {
  it('holds for a cube at the plate centre at 2·plateHalfHeight + cubeHalf, and it stays there', () => {
    env.reset(layout({ red_block: { x: PLATE.x, y: PLATE.y, z: CUBE_ON_PLATE } }));
    const [x, y, z] = env.bodyPosition('red_block');
    expect(Math.hypot(x - PLATE.x, y - PLATE.y)).toBeLessThan(0.002);
    expect(Math.abs(z - CUBE_ON_PLATE)).toBeLessThan(0.003);
    expect(onPlate('red_block')(env, NO_START)).toBe(true);
    expect(onPlate('green_block')(env, NO_START)).toBe(false);
  });

  it('holds for a can resting on the plate (cylinder half height)', () => {
    const z = 2 * plateHalfHeight + cylinderHalfHeight;
    env.reset(layout({ orange_can: { x: PLATE.x, y: PLATE.y, z } }));
    expect(onPlate('orange_can')(env, NO_START)).toBe(true);
  });

  it('fails 5 cm beyond the plate rim, on the table', () => {
    env.reset(layout({ red_block: { x: PLATE.x + plateRadius + 0.05, y: PLATE.y } }));
    expect(onPlate('red_block')(env, NO_START)).toBe(false);
  });

  it('needs the centre within plateRadius − 1 cm: 5.5 cm out holds, 7 cm out (still on the plate) fails', () => {
    env.reset(layout({ red_block: { x: PLATE.x + 0.055, y: PLATE.y, z: CUBE_ON_PLATE } }));
    expect(onPlate('red_block')(env, NO_START)).toBe(true);
    env.reset(layout({ red_block: { x: PLATE.x, y: PLATE.y + 0.07, z: CUBE_ON_PLATE } }));
    // Its centre is over the plate (radius 7.5 cm), so it rests on it, but it is too near the rim to count.
    expect(env.bodyPosition('red_block')[2]).toBeCloseTo(CUBE_ON_PLATE, 2);
    expect(onPlate('red_block')(env, NO_START)).toBe(false);
  });

  it('fails for a cube over the plate but 5 cm too high (stacked on another), which is on the plate', () => {
    env.reset(
      layout({
        green_block: { x: PLATE.x, y: PLATE.y, z: CUBE_ON_PLATE },
        red_block: { x: PLATE.x, y: PLATE.y, z: CUBE_ON_PLATE + 2 * cubeHalf },
      }),
    );
    expect(onPlate('green_block')(env, NO_START)).toBe(true);
    expect(onPlate('red_block')(env, NO_START)).toBe(false);
    expect(stackedOn('red_block', 'green_block')(env, NO_START)).toBe(true);
  });

  it('fails while a finger touches the cube, and holds again once the gripper lets go', () => {
    const place = { x: PLATE.x, y: PLATE.y, z: CUBE_ON_PLATE };
    env.reset(layout({ red_block: place }, { gripper: { x: place.x, y: place.y, z: CUBE_ON_PLATE } }));
    // The open fingers straddle the 5 cm cube (pads 8.8 cm apart) without touching it.
    expect(env.isTouched('red_block')).toBe(false);
    expect(onPlate('red_block')(env, NO_START)).toBe(true);
    holdGripper(true, 10);
    expect(env.isGrasped('red_block')).toBe(true);
    expect(onPlate('red_block')(env, NO_START)).toBe(false);
    holdGripper(false, 10);
    expect(env.isTouched('red_block')).toBe(false);
    expect(onPlate('red_block')(env, NO_START)).toBe(true);
  });

  it('names an object that is not in the scene', () => {
    env.reset(layout());
    expect(() => onPlate('purple_block')(env, NO_START)).toThrow(/"purple_block".*not in the scene/);
  });
});

describe('inTray', () => {
  it('holds at the tray centre on its floor and off-centre inside the walls', () => {
    env.reset(layout({ red_block: { x: TRAY.x, y: TRAY.y, z: CUBE_IN_TRAY } }));
    expect(inTray('red_block')(env, NO_START)).toBe(true);
    env.reset(layout({ red_block: { x: TRAY.x + 0.045, y: TRAY.y - 0.045, z: CUBE_IN_TRAY } }));
    expect(inTray('red_block')(env, NO_START)).toBe(true);
  });

  it('holds for a can in the tray', () => {
    env.reset(layout({ orange_can: { x: TRAY.x, y: TRAY.y, z: 0.008 + cylinderHalfHeight } }));
    expect(inTray('orange_can')(env, NO_START)).toBe(true);
  });

  it('fails on the table beside the tray (outside its walls)', () => {
    env.reset(layout({ red_block: { x: TRAY.x - GEOMETRY.trayHalf - 0.04, y: TRAY.y } }));
    expect(inTray('red_block')(env, NO_START)).toBe(false);
    expect(inTray('green_block')(env, NO_START)).toBe(false);
  });

  it('fails for a cube stacked on another in the tray (not low), which itself is in', () => {
    env.reset(
      layout({
        green_block: { x: TRAY.x, y: TRAY.y, z: CUBE_IN_TRAY },
        red_block: { x: TRAY.x, y: TRAY.y, z: CUBE_IN_TRAY + 2 * cubeHalf },
      }),
    );
    expect(inTray('green_block')(env, NO_START)).toBe(true);
    expect(inTray('red_block')(env, NO_START)).toBe(false);
  });

  it('fails while the cube is held in the tray', () => {
    const place = { x: TRAY.x, y: TRAY.y, z: CUBE_IN_TRAY };
    env.reset(layout({ red_block: place }, { gripper: { x: place.x, y: place.y, z: CUBE_IN_TRAY + 0.003 } }));
    expect(inTray('red_block')(env, NO_START)).toBe(true);
    holdGripper(true, 10);
    expect(env.isGrasped('red_block')).toBe(true);
    expect(inTray('red_block')(env, NO_START)).toBe(false);
  });
});

describe('stackedOn', () => {
  it('holds for red resting centred on green on the table, not the other way round', () => {
    env.reset(
      layout({
        green_block: { x: 0.05, y: 0.02 },
        red_block: { x: 0.05, y: 0.02, z: 3 * cubeHalf + 0.001 },
      }),
    );
    const [, , zr] = env.bodyPosition('red_block');
    const [, , zg] = env.bodyPosition('green_block');
    expect(zr - zg).toBeCloseTo(2 * cubeHalf, 2);
    expect(stackedOn('red_block', 'green_block')(env, NO_START)).toBe(true);
    expect(stackedOn('green_block', 'red_block')(env, NO_START)).toBe(false);
  });

  it('holds with the top 2 cm off-centre (within 3 cm)', () => {
    env.reset(
      layout({
        green_block: { x: 0.05, y: 0.02 },
        red_block: { x: 0.07, y: 0.02, z: 3 * cubeHalf + 0.001 },
      }),
    );
    expect(stackedOn('red_block', 'green_block')(env, NO_START)).toBe(true);
  });

  it('fails for two cubes side by side on the table', () => {
    env.reset(layout({ green_block: { x: 0.05, y: 0.02 }, red_block: { x: 0.05 + 0.06, y: 0.02 } }));
    expect(stackedOn('red_block', 'green_block')(env, NO_START)).toBe(false);
  });

  it('fails while the gripper holds the top block in place on the bottom one, and holds once it lets go', () => {
    const top = { x: 0.05, y: 0.02, z: 3 * cubeHalf + 0.001 };
    env.reset(
      layout({ green_block: { x: 0.05, y: 0.02 }, red_block: top }, { gripper: { ...top, z: 3 * cubeHalf } }),
    );
    expect(stackedOn('red_block', 'green_block')(env, NO_START)).toBe(true);
    holdGripper(true, 10);
    expect(env.isGrasped('red_block')).toBe(true);
    // Where it is would count: centred and at resting height. Only the grip keeps it from counting.
    const [x, y, z] = env.bodyPosition('red_block');
    const [gx, gy, gz] = env.bodyPosition('green_block');
    expect(Math.hypot(x - gx, y - gy)).toBeLessThan(0.01);
    expect(Math.abs(z - gz - 2 * cubeHalf)).toBeLessThan(0.006);
    expect(stackedOn('red_block', 'green_block')(env, NO_START)).toBe(false);
    holdGripper(false, 10);
    expect(env.isTouched('red_block')).toBe(false);
    expect(stackedOn('red_block', 'green_block')(env, NO_START)).toBe(true);
  });

  describe('off-centre beyond 3 cm', () => {
    // A third cube beside the bottom one carries the top block 4.5 cm off the bottom's centre, at exactly the
    // height of a stack: every condition but the 3 cm one holds.
    let bridge: TabletopEnv;
    beforeAll(async () => {
      bridge = await TabletopEnv.create(
        { objects: [block('red'), block('green'), block('blue')], fixtures: {} },
        { render: false },
      );
    });
    afterAll(() => bridge?.dispose());

    it('fails for a top block resting 4.5 cm off-centre (bridging two cubes), holds when it is 2 cm off', () => {
      const bridged = (offset: number): Layout => ({
        objects: {
          green_block: { x: 0.05, y: 0.02 },
          blue_block: { x: 0.05 + 2 * cubeHalf + 0.001, y: 0.02 },
          red_block: { x: 0.05 + offset, y: 0.02, z: 3 * cubeHalf + 0.001 },
        },
      });
      bridge.reset(bridged(0.045));
      const [x, , z] = bridge.bodyPosition('red_block');
      const [gx, , gz] = bridge.bodyPosition('green_block');
      expect(x - gx).toBeGreaterThan(0.04);
      expect(x - gx).toBeLessThan(0.05);
      expect(Math.abs(z - gz - 2 * cubeHalf)).toBeLessThan(0.006);
      expect(bridge.isTouched('red_block')).toBe(false);
      expect(stackedOn('red_block', 'green_block')(bridge, NO_START)).toBe(false);
      bridge.reset(bridged(0.02));
      expect(stackedOn('red_block', 'green_block')(bridge, NO_START)).toBe(true);
    });
  });
});

describe('pushed', () => {
  /** Resets with red on the table and returns its settled position. */
  function redAtRest(): Vec3 {
    env.reset(layout({ red_block: { x: 0.02, y: 0.0 } }));
    return env.bodyPosition('red_block');
  }
  const from = (p: Vec3, dx: number, dy: number, dz = 0): StartPositions => ({
    red_block: [p[0] - dx, p[1] - dy, p[2] - dz],
  });

  it('needs more than 6 cm along the direction: 6.1 cm holds, 5.9 cm does not', () => {
    const p = redAtRest();
    expect(pushed('red_block', 1, 0)(env, from(p, 0.061, 0))).toBe(true);
    expect(pushed('red_block', 1, 0)(env, from(p, 0.059, 0))).toBe(false);
    expect(pushed('red_block', 0, 1)(env, from(p, 0, 0.061))).toBe(true);
    expect(pushed('red_block', 0, 1)(env, from(p, 0, 0.059))).toBe(false);
  });

  it('measures along the direction only: the opposite or a perpendicular direction fails', () => {
    const p = redAtRest();
    const start = from(p, 0.08, 0);
    expect(pushed('red_block', -1, 0)(env, start)).toBe(false);
    expect(pushed('red_block', 0, 1)(env, start)).toBe(false);
    expect(pushed('red_block', 0, -1)(env, start)).toBe(false);
  });

  it('projects a diagonal move: 5 cm + 5 cm along (1, 1)/√2 is 7.07 cm', () => {
    const p = redAtRest();
    expect(pushed('red_block', Math.SQRT1_2, Math.SQRT1_2)(env, from(p, 0.05, 0.05))).toBe(true);
    // 4 cm + 4 cm is 5.66 cm along the diagonal.
    expect(pushed('red_block', Math.SQRT1_2, Math.SQRT1_2)(env, from(p, 0.04, 0.04))).toBe(false);
  });

  it('fails while a finger still touches the object', () => {
    env.reset(layout({ red_block: { x: 0.02, y: 0 } }, { gripper: { x: 0.02, y: 0, z: cubeHalf } }));
    const p = env.bodyPosition('red_block');
    expect(pushed('red_block', 1, 0)(env, from(p, 0.07, 0))).toBe(true);
    holdGripper(true, 10);
    expect(env.isTouched('red_block')).toBe(true);
    expect(pushed('red_block', 1, 0)(env, from(env.bodyPosition('red_block'), 0.07, 0))).toBe(false);
  });

  it('names the object when its start was not recorded', () => {
    redAtRest();
    expect(() => pushed('red_block', 1, 0)(env, NO_START)).toThrow(
      /no start position recorded for "red_block"/,
    );
  });
});

describe('lifted', () => {
  it('needs the object more than 8 cm above its start height', () => {
    env.reset(layout());
    const p = env.bodyPosition('green_block');
    const startAt = (dz: number): StartPositions => ({ green_block: [p[0], p[1], p[2] - dz] });
    expect(lifted('green_block')(env, startAt(0.081))).toBe(true);
    expect(lifted('green_block')(env, startAt(0.079))).toBe(false);
    expect(lifted('green_block')(env, recordStart(env))).toBe(false);
  });

  it('holds while the gripper carries the object 10 cm up (being held is what lifting means)', () => {
    const place = { ...BASE_OBJECTS.green_block, z: cubeHalf }; // clear of the other objects
    env.reset(layout({ green_block: place }, { gripper: { ...place, z: cubeHalf + 0.003 } }));
    const start = recordStart(env);
    holdGripper(true, 10);
    expect(env.isGrasped('green_block')).toBe(true);
    expect(lifted('green_block')(env, start)).toBe(false);
    for (let i = 0; i < 6; i++) env.step([0, 0, 1, 0, 0, 0, 1]); // 2 cm up per step
    expect(env.isGrasped('green_block')).toBe(true);
    expect(env.bodyPosition('green_block')[2] - start.green_block[2]).toBeGreaterThan(0.08);
    expect(lifted('green_block')(env, start)).toBe(true);
  });
});

describe('recordStart', () => {
  it('records every movable object at its current position', () => {
    env.reset(layout());
    const start = recordStart(env);
    expect(Object.keys(start).sort()).toEqual(['green_block', 'orange_can', 'red_block']);
    for (const name of Object.keys(start)) expect(start[name]).toEqual(env.bodyPosition(name));
    expect(start.red_block[0]).toBeCloseTo(BASE_OBJECTS.red_block.x, 3);
    expect(start.orange_can[2]).toBeCloseTo(cylinderHalfHeight, 3);
  });
});

describe('drawer and light', () => {
  it('drawerOpen needs more than 9 cm, drawerClosed less than 1.5 cm', () => {
    const cases: [number, boolean, boolean][] = [
      [0, false, true],
      [0.01, false, true],
      [0.02, false, false],
      [0.05, false, false],
      [0.08, false, false],
      [0.1, true, false],
      [GEOMETRY.drawerTravel, true, false],
    ];
    for (const [opening, open, closed] of cases) {
      env.reset(layout({}, { drawer: opening }));
      expect(env.drawerOpening(), `drawer ${opening}`).toBeCloseTo(opening, 3);
      expect(drawerOpen(env, NO_START), `drawerOpen at ${opening}`).toBe(open);
      expect(drawerClosed(env, NO_START), `drawerClosed at ${opening}`).toBe(closed);
    }
  });

  it('do not depend on the gripper: the same answers while it holds a block', () => {
    const place = { x: 0.05, y: 0.02, z: cubeHalf };
    for (const [drawer, lightOn] of [
      [0.12, true],
      [0, false],
    ] as const) {
      env.reset(
        layout({ red_block: place }, { drawer, lightOn, gripper: { ...place, z: cubeHalf + 0.003 } }),
      );
      holdGripper(true, 10);
      expect(env.isGrasped('red_block')).toBe(true);
      expect([drawerOpen(env, NO_START), drawerClosed(env, NO_START)]).toEqual([drawer > 0, drawer === 0]);
      expect([lightIsOn(env, NO_START), lightIsOff(env, NO_START)]).toEqual([lightOn, !lightOn]);
    }
  });

  it('the drawer defaults to closed', () => {
    env.reset(layout());
    expect(drawerClosed(env, NO_START)).toBe(true);
  });

  it('lightIsOn / lightIsOff follow layout.lightOn (default off)', () => {
    env.reset(layout({}, { lightOn: true }));
    expect(lightIsOn(env, NO_START)).toBe(true);
    expect(lightIsOff(env, NO_START)).toBe(false);
    env.reset(layout({}, { lightOn: false }));
    expect(lightIsOn(env, NO_START)).toBe(false);
    expect(lightIsOff(env, NO_START)).toBe(true);
    env.reset(layout());
    expect(lightIsOn(env, NO_START)).toBe(false);
  });
});

describe('allOf', () => {
  const goal = allOf(onPlate('red_block'), drawerOpen, lightIsOn);

  it('holds only when every part holds', () => {
    const onThePlate = { red_block: { x: PLATE.x, y: PLATE.y, z: CUBE_ON_PLATE } };
    env.reset(layout(onThePlate, { drawer: 0.12, lightOn: true }));
    expect(goal(env, NO_START)).toBe(true);
    env.reset(layout(onThePlate, { drawer: 0.12, lightOn: false }));
    expect(goal(env, NO_START)).toBe(false);
    env.reset(layout(onThePlate, { drawer: 0, lightOn: true }));
    expect(goal(env, NO_START)).toBe(false);
    env.reset(layout({}, { drawer: 0.12, lightOn: true }));
    expect(goal(env, NO_START)).toBe(false);
  });

  it('passes the start positions to every part', () => {
    env.reset(layout());
    const p = env.bodyPosition('red_block');
    const both = allOf(pushed('red_block', 1, 0), lifted('red_block'));
    expect(both(env, { red_block: [p[0] - 0.07, p[1], p[2] - 0.09] })).toBe(true);
    expect(both(env, { red_block: [p[0] - 0.07, p[1], p[2] - 0.05] })).toBe(false);
    expect(both(env, { red_block: [p[0] - 0.03, p[1], p[2] - 0.09] })).toBe(false);
  });

  it('fails while one part fails because its object is held', () => {
    const place = { x: PLATE.x, y: PLATE.y, z: CUBE_ON_PLATE };
    env.reset(layout({ red_block: place }, { drawer: 0.12, lightOn: true, gripper: place }));
    expect(goal(env, NO_START)).toBe(true);
    holdGripper(true, 10);
    expect(env.isGrasped('red_block')).toBe(true);
    expect(goal(env, NO_START)).toBe(false);
  });

  it('of nothing holds', () => {
    env.reset(layout());
    expect(allOf()(env, NO_START)).toBe(true);
  });
});
