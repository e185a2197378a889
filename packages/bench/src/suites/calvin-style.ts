import type { Rng } from '@roboalign/utils';
import { BenchError } from '../errors.js';
import { GEOMETRY, type SceneSpec } from '../sim/scene-xml.js';
import type { Layout } from '../sim/tabletop-env.js';
import { closeDrawer, openDrawer, pressButton, pushBy, putInTray, putOnPlate, stack } from './experts.js';
import { block } from './objects.js';
import {
  drawerClosed,
  drawerOpen,
  inTray,
  lightIsOff,
  lightIsOn,
  onPlate,
  pushed,
  stackedOn,
} from './predicates.js';
import { jitter, shuffled } from './random.js';
import type { ChainSuite, ChainTask } from './task.js';

const BLOCKS = ['red', 'blue', 'pink'] as const;
type BlockColor = (typeof BLOCKS)[number];

/** Where a block is, for sampling chains whose every step is possible if the earlier ones succeed. */
export interface BlockState {
  readonly where: 'table' | 'plate' | 'tray' | 'stacked' | 'under';
  readonly x: number;
  readonly y: number;
}

/** The symbolic scene state of the CALVIN-style protocol. */
export interface CalvinState {
  readonly drawerOpen: boolean;
  readonly lightOn: boolean;
  readonly blocks: Readonly<Record<BlockColor, BlockState>>;
}

const SCENE: SceneSpec = {
  objects: BLOCKS.map((c) => block(c)),
  fixtures: { plate: true, tray: true, button: true, cabinet: true },
};
const SLOTS: [number, number][] = [
  [-0.05, 0.01],
  [0.08, 0.02],
  [0, 0.13],
];
const PUSH = 0.09;
/** Pushed blocks stay far enough from the cabinet and drawer for open fingers to reach them, and left of the button and tray. */
const PUSH_LIMITS = { left: -0.05, right: 0.12 };
const DRAWER_OPEN = 0.12;

function withBlock(state: CalvinState, color: BlockColor, next: BlockState): CalvinState {
  return { ...state, blocks: { ...state.blocks, [color]: next } };
}

/**
 * No other block on the table (alone or in a stack) with its centre within the swept row: 17 cm ahead of the pushed block's start (push, both
 * half-widths, margin for drift) and 13 cm behind it (where the closed fingers come down).
 */
function corridorFree(state: CalvinState, color: BlockColor, dx: number): boolean {
  const b = state.blocks[color];
  const ahead = b.x + dx * (PUSH + 0.08);
  const behind = b.x - dx * 0.13;
  const lo = Math.min(ahead, behind);
  const hi = Math.max(ahead, behind);
  return BLOCKS.every((c) => {
    if (c === color) return true;
    const o = state.blocks[c];
    const onTable = o.where === 'table' || o.where === 'under' || o.where === 'stacked';
    return !onTable || Math.abs(o.y - b.y) > 0.07 || o.x < lo || o.x > hi;
  });
}

function pushTask(color: BlockColor, direction: 'left' | 'right'): ChainTask<CalvinState> {
  const dx = direction === 'left' ? -1 : 1;
  const name = `${color}_block`;
  return {
    name: `push_${name}_${direction}`,
    category: `push_${color}`,
    instruction: `push the ${color} block to the ${direction}`,
    applicable: (s) => {
      const b = s.blocks[color];
      const to = b.x + dx * PUSH;
      // The 12 cm palm, behind the block, must not come down on the cabinet or the open drawer and its handle.
      const palmEdge = b.x - dx * 0.14;
      const cabinet = GEOMETRY.cabinet;
      const front = cabinet.y - cabinet.halfY - (s.drawerOpen ? DRAWER_OPEN + 0.04 : 0);
      const hitsCabinet = b.y > front - 0.05 && palmEdge < cabinet.x + cabinet.halfX + 0.005;
      return (
        b.where === 'table' &&
        to >= PUSH_LIMITS.left &&
        to <= PUSH_LIMITS.right &&
        !hitsCabinet &&
        corridorFree(s, color, dx)
      );
    },
    effect: (s) => withBlock(s, color, { ...s.blocks[color], x: s.blocks[color].x + dx * PUSH }),
    success: pushed(name, dx, 0),
    expert: () => pushBy(name, dx, 0),
  };
}

function placeOnPlateTask(color: BlockColor): ChainTask<CalvinState> {
  const name = `${color}_block`;
  return {
    name: `place_${name}_on_plate`,
    category: 'plate',
    instruction: `put the ${color} block on the plate`,
    applicable: (s) =>
      s.blocks[color].where === 'table' && BLOCKS.every((c) => s.blocks[c].where !== 'plate'),
    effect: (s) => withBlock(s, color, { ...s.blocks[color], where: 'plate' }),
    success: onPlate(name),
    expert: () => putOnPlate(name),
  };
}

function placeInTrayTask(color: BlockColor): ChainTask<CalvinState> {
  const name = `${color}_block`;
  return {
    name: `place_${name}_in_tray`,
    category: 'tray',
    instruction: `put the ${color} block in the tray`,
    applicable: (s) => s.blocks[color].where === 'table',
    effect: (s) => withBlock(s, color, { ...s.blocks[color], where: 'tray' }),
    success: inTray(name),
    expert: () => putInTray(name),
  };
}

function stackTask(top: BlockColor, bottom: BlockColor): ChainTask<CalvinState> {
  return {
    name: `stack_${top}_block_on_${bottom}_block`,
    category: 'stack',
    instruction: `stack the ${top} block on the ${bottom} block`,
    applicable: (s) => s.blocks[top].where === 'table' && s.blocks[bottom].where === 'table',
    effect: (s) => {
      const covered = withBlock(s, bottom, { ...s.blocks[bottom], where: 'under' });
      return withBlock(covered, top, { ...s.blocks[bottom], where: 'stacked' });
    },
    success: stackedOn(`${top}_block`, `${bottom}_block`),
    expert: () => stack(`${top}_block`, `${bottom}_block`),
  };
}

const POOL: ChainTask<CalvinState>[] = [
  {
    name: 'open_drawer',
    category: 'drawer',
    instruction: 'open the drawer',
    applicable: (s) => !s.drawerOpen,
    effect: (s) => ({ ...s, drawerOpen: true }),
    success: drawerOpen,
    expert: openDrawer,
  },
  {
    name: 'close_drawer',
    category: 'drawer',
    instruction: 'close the drawer',
    applicable: (s) => s.drawerOpen,
    effect: (s) => ({ ...s, drawerOpen: false }),
    success: drawerClosed,
    expert: closeDrawer,
  },
  {
    name: 'turn_on_light',
    category: 'light',
    instruction: 'turn on the light',
    applicable: (s) => !s.lightOn,
    effect: (s) => ({ ...s, lightOn: true }),
    success: lightIsOn,
    expert: pressButton,
  },
  {
    name: 'turn_off_light',
    category: 'light',
    instruction: 'turn off the light',
    applicable: (s) => s.lightOn,
    effect: (s) => ({ ...s, lightOn: false }),
    success: lightIsOff,
    expert: pressButton,
  },
  ...BLOCKS.flatMap((c) => [
    pushTask(c, 'left'),
    pushTask(c, 'right'),
    placeOnPlateTask(c),
    placeInTrayTask(c),
  ]),
  ...BLOCKS.flatMap((top) => BLOCKS.filter((b) => b !== top).map((bottom) => stackTask(top, bottom))),
];

function sampleStart(rng: Rng): { layout: Layout; state: CalvinState } {
  const slots = shuffled(rng, SLOTS).map(([x, y]) => [jitter(rng, x, 0.015), jitter(rng, y, 0.015)] as const);
  const drawerIsOpen = rng() < 0.5;
  const light = rng() < 0.5;
  const objects: Record<string, { x: number; y: number; yaw: number }> = {};
  const blocks = {} as Record<BlockColor, BlockState>;
  BLOCKS.forEach((c, i) => {
    const [x, y] = slots[i];
    objects[`${c}_block`] = { x, y, yaw: jitter(rng, 0, 0.5) };
    blocks[c] = { where: 'table', x, y };
  });
  return {
    layout: {
      objects,
      plate: { x: jitter(rng, -0.17, 0.015), y: jitter(rng, -0.19, 0.015) },
      tray: { x: jitter(rng, 0.18, 0.015), y: jitter(rng, -0.14, 0.015) },
      button: { x: jitter(rng, 0.2, 0.01), y: jitter(rng, 0.2, 0.01) },
      drawer: drawerIsOpen ? DRAWER_OPEN : 0,
      lightOn: light,
    },
    state: { drawerOpen: drawerIsOpen, lightOn: light, blocks },
  };
}

/**
 * The CALVIN-style protocol on this project's scene (not the original CALVIN benchmark): chains of five
 * instructions from a pool of 22 tasks in 8 categories, no category twice per chain, each step feasible
 * if the earlier ones succeed; a chain stops at its first failure.
 */
export const CALVIN_STYLE_SUITE: ChainSuite<CalvinState> = {
  kind: 'chains',
  name: 'calvin',
  description:
    'Chains of 5 instructions (drawer, light, pushes, plate, tray, stacking) from one scene; metric: success at each chain step and average length.',
  scene: SCENE,
  pool: POOL,
  chainLength: 5,
  defaultChains: 1000,
  subtaskSteps: 240,
  sampleStart,
};

/** Samples the start and the five tasks of one chain; the same rng state gives the same chain. */
export function sampleChain<S>(suite: ChainSuite<S>, rng: Rng): { layout: Layout; tasks: ChainTask<S>[] } {
  for (let attempt = 0; attempt < 100; attempt++) {
    const start = suite.sampleStart(rng);
    let state = start.state;
    const used = new Set<string>();
    const tasks: ChainTask<S>[] = [];
    while (tasks.length < suite.chainLength) {
      const candidates = suite.pool.filter((t) => !used.has(t.category) && t.applicable(state));
      if (candidates.length === 0) break;
      const next = candidates[Math.floor(rng() * candidates.length)];
      tasks.push(next);
      used.add(next.category);
      state = next.effect(state);
    }
    if (tasks.length === suite.chainLength) return { layout: start.layout, tasks };
  }
  throw new BenchError(
    `${suite.name}: could not sample a feasible chain of ${suite.chainLength} in 100 attempts`,
  );
}
