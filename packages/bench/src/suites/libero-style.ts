import type { Rng } from '@roboalign/utils';
import { GEOMETRY, type SceneSpec } from '../sim/scene-xml.js';
import type { Layout } from '../sim/tabletop-env.js';
import {
  closeDrawer,
  lift,
  openDrawer,
  pressButton,
  pushBy,
  putInTray,
  putOnPlate,
  stack,
} from './experts.js';
import { block, can, spoken } from './objects.js';
import {
  allOf,
  drawerClosed,
  drawerOpen,
  inTray,
  lifted,
  lightIsOn,
  onPlate,
  type Predicate,
  pushed,
  stackedOn,
} from './predicates.js';
import { jitter, shuffled } from './random.js';
import { type Skill, sequence } from './skills.js';
import type { EpisodeSuite, TaskDefinition } from './task.js';

type XY = [number, number];
const JITTER = 0.015;
const YAW = 0.5;

function at(rng: Rng, [x, y]: XY, spread = JITTER): { x: number; y: number } {
  return { x: jitter(rng, x, spread), y: jitter(rng, y, spread) };
}

function placed(rng: Rng, xy: XY): { x: number; y: number; yaw: number } {
  return { ...at(rng, xy), yaw: jitter(rng, 0, YAW) };
}

function task(
  name: string,
  instruction: string,
  scene: SceneSpec,
  maxSteps: number,
  sampleLayout: (rng: Rng) => Layout,
  success: Predicate,
  expert: () => Skill,
): TaskDefinition {
  return { name, instruction, scene, maxSteps, sampleLayout, success, expert };
}

// ---------------------------------------------------------------- spatial
const SPATIAL_SCENE: SceneSpec = {
  objects: [block('blue', 'blue_block_a'), block('blue', 'blue_block_b')],
  fixtures: { plate: true, tray: true, cabinet: true },
};
const PLATE: XY = [0, -0.17];
const TRAY: XY = [0.19, 0.1];

/** [relation, target position, distractor position, target starts in the tray]. */
const SPATIAL_RELATIONS: [string, XY, XY, boolean?][] = [
  ['on the left', [-0.12, 0], [0.1, 0]],
  ['on the right', [0.1, 0], [-0.12, 0]],
  ['closest to the robot', [0.02, -0.06], [0.02, 0.1]],
  ['farthest from the robot', [0.02, 0.1], [0.02, -0.06]],
  ['next to the cabinet', [-0.03, 0.2], [0.12, -0.02]],
  ['in the tray', TRAY, [-0.05, 0], true],
  ['next to the tray', [0.05, 0.1], [-0.1, -0.02]],
  ['between the plate and the tray', [0.09, -0.04], [-0.1, 0.06]],
  ['in front of the cabinet', [-0.22, 0], [0.08, 0.05]],
  ['at the center of the table', [0, 0.02], [0.2, -0.1]],
];

const spatialTasks = SPATIAL_RELATIONS.map(([relation, target, distractor, inTrayStart]) =>
  task(
    `pick_blue_block_${relation.replaceAll(' ', '_')}_place_on_plate`,
    `pick up the blue block ${relation} and place it on the plate`,
    SPATIAL_SCENE,
    220,
    (rng) => ({
      objects: {
        blue_block_a: {
          ...placed(rng, target),
          ...(inTrayStart ? { z: 0.008 + GEOMETRY.cubeHalf + 0.001 } : {}),
        },
        blue_block_b: placed(rng, distractor),
      },
      plate: at(rng, PLATE),
      tray: inTrayStart ? { x: target[0], y: target[1] } : at(rng, TRAY),
    }),
    onPlate('blue_block_a'),
    () => putOnPlate('blue_block_a'),
  ),
);

// ---------------------------------------------------------------- object
const CATALOG = [
  block('red'),
  block('green'),
  block('blue'),
  block('yellow'),
  can('orange'),
  can('purple'),
  block('white'),
  block('pink'),
  can('cyan'),
  can('black'),
];
const OBJECT_SLOTS: XY[] = [
  [-0.18, -0.06],
  [-0.05, 0.12],
  [0.1, 0.08],
  [-0.04, -0.1],
];
const OBJECT_TRAY: XY = [0.17, -0.13];

const objectTasks = CATALOG.map((target, k) => {
  const objects = [target, CATALOG[(k + 3) % 10], CATALOG[(k + 5) % 10], CATALOG[(k + 7) % 10]];
  return task(
    `pick_${target.name}_place_in_tray`,
    `pick up the ${spoken(target.name)} and place it in the tray`,
    { objects, fixtures: { tray: true } },
    280,
    (rng) => {
      const slots = shuffled(rng, OBJECT_SLOTS);
      return {
        objects: Object.fromEntries(objects.map((o, i) => [o.name, placed(rng, slots[i])])),
        tray: at(rng, OBJECT_TRAY),
      };
    },
    inTray(target.name),
    () => putInTray(target.name),
  );
});

// ---------------------------------------------------------------- goal
const GOAL_SCENE: SceneSpec = {
  objects: [block('red'), block('green')],
  fixtures: { plate: true, tray: true, button: true, cabinet: true },
};
function goalLayout(rng: Rng): Layout {
  return {
    objects: { red_block: placed(rng, [-0.02, -0.04]), green_block: placed(rng, [0.1, 0.06]) },
    plate: at(rng, [-0.17, -0.17]),
    tray: at(rng, [0.18, -0.14]),
    button: at(rng, [0.2, 0.2], 0.01),
  };
}
const GOALS: [string, string, Predicate, () => Skill][] = [
  [
    'put_red_block_on_plate',
    'put the red block on the plate',
    onPlate('red_block'),
    () => putOnPlate('red_block'),
  ],
  [
    'put_green_block_in_tray',
    'put the green block in the tray',
    inTray('green_block'),
    () => putInTray('green_block'),
  ],
  ['open_drawer', 'open the drawer', drawerOpen, openDrawer],
  ['turn_on_light', 'turn on the light', lightIsOn, pressButton],
  [
    'push_red_block_left',
    'push the red block to the left',
    pushed('red_block', -1, 0),
    () => pushBy('red_block', -1, 0),
  ],
  ['lift_green_block', 'lift the green block', lifted('green_block'), () => lift('green_block')],
  [
    'stack_red_block_on_green_block',
    'stack the red block on the green block',
    stackedOn('red_block', 'green_block'),
    () => stack('red_block', 'green_block'),
  ],
  [
    'put_green_block_on_plate',
    'put the green block on the plate',
    onPlate('green_block'),
    () => putOnPlate('green_block'),
  ],
  [
    'put_red_block_in_tray',
    'put the red block in the tray',
    inTray('red_block'),
    () => putInTray('red_block'),
  ],
  [
    'push_green_block_back',
    'push the green block to the back',
    pushed('green_block', 0, 1),
    () => pushBy('green_block', 0, 1),
  ],
];
const goalTasks = GOALS.map(([name, instruction, success, expert]) =>
  task(name, instruction, GOAL_SCENE, 300, goalLayout, success, expert),
);

// ---------------------------------------------------------------- long
const LONG_SCENE: SceneSpec = {
  objects: [block('red'), block('green'), block('blue')],
  fixtures: { plate: true, tray: true, button: true, cabinet: true },
};
function longLayout(drawer: number): (rng: Rng) => Layout {
  return (rng) => ({
    objects: {
      red_block: placed(rng, [-0.02, -0.05]),
      green_block: placed(rng, [0.1, 0.05]),
      blue_block: placed(rng, [-0.02, 0.13]),
    },
    plate: at(rng, [-0.17, -0.19]),
    tray: at(rng, [0.18, -0.14]),
    button: at(rng, [0.2, 0.2], 0.01),
    drawer,
  });
}
const OPEN = 0.12;
const LONG: [string, string, number, Predicate, () => Skill][] = [
  [
    'red_on_plate_green_in_tray',
    'put the red block on the plate and the green block in the tray',
    0,
    allOf(onPlate('red_block'), inTray('green_block')),
    () => sequence(putOnPlate('red_block'), putInTray('green_block')),
  ],
  [
    'open_drawer_turn_on_light',
    'open the drawer and turn on the light',
    0,
    allOf(drawerOpen, lightIsOn),
    () => sequence(openDrawer(), pressButton()),
  ],
  [
    'blue_in_tray_turn_on_light',
    'put the blue block in the tray and turn on the light',
    0,
    allOf(inTray('blue_block'), lightIsOn),
    () => sequence(putInTray('blue_block'), pressButton()),
  ],
  [
    'stack_red_on_green_blue_on_plate',
    'stack the red block on the green block and put the blue block on the plate',
    0,
    allOf(stackedOn('red_block', 'green_block'), onPlate('blue_block')),
    () => sequence(stack('red_block', 'green_block'), putOnPlate('blue_block')),
  ],
  [
    'red_and_blue_in_tray',
    'put both the red block and the blue block in the tray',
    0,
    allOf(inTray('red_block'), inTray('blue_block')),
    () => sequence(putInTray('red_block', [-0.04, 0]), putInTray('blue_block', [0.04, 0])),
  ],
  [
    'close_drawer_red_on_plate',
    'close the drawer and put the red block on the plate',
    OPEN,
    allOf(drawerClosed, onPlate('red_block')),
    () => sequence(closeDrawer(), putOnPlate('red_block')),
  ],
  [
    'push_green_left_red_in_tray',
    'push the green block to the left and put the red block in the tray',
    0,
    allOf(pushed('green_block', -1, 0), inTray('red_block')),
    () => sequence(pushBy('green_block', -1, 0), putInTray('red_block')),
  ],
  [
    'blue_on_plate_open_drawer',
    'put the blue block on the plate and open the drawer',
    0,
    allOf(onPlate('blue_block'), drawerOpen),
    () => sequence(putOnPlate('blue_block'), openDrawer()),
  ],
  [
    'turn_on_light_green_on_plate',
    'turn on the light and put the green block on the plate',
    0,
    allOf(lightIsOn, onPlate('green_block')),
    () => sequence(pressButton(), putOnPlate('green_block')),
  ],
  [
    'red_in_tray_close_drawer',
    'put the red block in the tray and close the drawer',
    OPEN,
    allOf(inTray('red_block'), drawerClosed),
    () => sequence(putInTray('red_block'), closeDrawer()),
  ],
];
const longTasks = LONG.map(([name, instruction, drawer, success, expert]) =>
  task(name, instruction, LONG_SCENE, 520, longLayout(drawer), success, expert),
);

/** The four LIBERO-style suites of this project's own scenes (not the original LIBERO benchmark). */
export const LIBERO_STYLE_SUITES: readonly EpisodeSuite[] = [
  {
    kind: 'episodes',
    name: 'libero-spatial',
    description:
      'Two identical blue blocks; the one to move is named by its spatial relation. Place it on the plate.',
    tasks: spatialTasks,
    trialsPerTask: 50,
  },
  {
    kind: 'episodes',
    name: 'libero-object',
    description: 'Four different objects on the table; pick the named one and place it in the tray.',
    tasks: objectTasks,
    trialsPerTask: 50,
  },
  {
    kind: 'episodes',
    name: 'libero-goal',
    description: 'One scene (two blocks, plate, tray, drawer, button and lamp); ten different goals.',
    tasks: goalTasks,
    trialsPerTask: 50,
  },
  {
    kind: 'episodes',
    name: 'libero-long',
    description: 'Two-stage tasks in a three-block scene; both goals must hold at the end.',
    tasks: longTasks,
    trialsPerTask: 50,
  },
];
