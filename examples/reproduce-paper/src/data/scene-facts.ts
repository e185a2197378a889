import { GEOMETRY, objects, type TabletopEnv, type Vec3 } from '@roboalign/bench';
import { bodyPixelBox, type PixelBox } from './pixel-boxes.js';

/** A movable object as the simulator knows it. */
export interface ObjectFacts {
  /** Body name in the scene, e.g. `red_block` or `blue_block_a`. */
  readonly name: string;
  /** How text calls it: `red block`. */
  readonly label: string;
  readonly noun: 'block' | 'can';
  readonly color: string;
  readonly position: Vec3;
  /** Agent-view pixel box, null when out of view. */
  readonly box: PixelBox | null;
  /** Agent-view pixels showing it in the rendered image. */
  readonly visiblePixels: number;
}

/** A fixture that can be named and boxed: the plate or the tray. */
export interface FixtureFacts {
  readonly name: 'plate' | 'tray';
  readonly label: string;
  readonly position: Vec3;
  readonly box: PixelBox | null;
  readonly visiblePixels: number;
}

/** The gripper: where it is, what it was told to do, what it holds. */
export interface GripperFacts {
  /** The grasp point between the fingertips. */
  readonly position: Vec3;
  /** The grasp point's agent-view pixel `[column, row]`, null when out of view. */
  readonly pixel: readonly [number, number] | null;
  /** Commanded closed. */
  readonly closed: boolean;
  /** Half the gap between the finger pads in metres (0.044 fully open). */
  readonly halfGap: number;
  /** Body name of the object held between both fingers, or null. */
  readonly holding: string | null;
}

/** Privileged facts of one rendered frame: what the generators build questions and answers from. */
export interface SceneFacts {
  readonly imageSize: number;
  readonly objects: readonly ObjectFacts[];
  readonly fixtures: readonly FixtureFacts[];
  readonly gripper: GripperFacts;
  /** Drawer opening in metres, null without a cabinet. */
  readonly drawerOpening: number | null;
  /** Lamp state, null without a button. */
  readonly lightOn: boolean | null;
}

/** Which bodies of the compiled scene are on the table (the rest is parked out of view). */
export interface PresentBodies {
  readonly objects: readonly string[];
  readonly fixtures: readonly ('plate' | 'tray' | 'button' | 'cabinet')[];
}

const COLOR_NAMES = new Map(Object.entries(objects.COLORS).map(([name, rgb]) => [rgb.join(','), name]));

/** The colour word of an object's RGB (one of bench's named colours). */
export function colorName(rgb: readonly number[]): string {
  const name = COLOR_NAMES.get(rgb.join(','));
  if (name === undefined) throw new Error(`colour ${rgb.join(', ')} is not one of bench's named colours`);
  return name;
}

function sum(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return n;
}

/** Pixels of the latest agent-view render showing `body`. */
function visiblePixels(env: TabletopEnv, body: string): number {
  return sum(env.bodyMask(body, 'agentview'));
}

/**
 * Reads the privileged facts of the current frame. Call it right after `observe` (or `TaskEnv.observation`),
 * since visibility comes from the latest render.
 */
export function snapshotScene(env: TabletopEnv, present?: PresentBodies): SceneFacts {
  const spec = env.spec;
  const objectNames = present?.objects ?? spec.objects.map((o) => o.name);
  const fixtures = present?.fixtures ?? (Object.keys(spec.fixtures) as PresentBodies['fixtures']);
  const has = (f: PresentBodies['fixtures'][number]) => fixtures.includes(f) && spec.fixtures[f] === true;
  const objectFacts = objectNames.map((name): ObjectFacts => {
    const o = env.object(name);
    const color = colorName(o.color);
    const noun = o.shape === 'cube' ? 'block' : 'can';
    return {
      name,
      label: `${color} ${noun}`,
      noun,
      color,
      position: env.bodyPosition(name),
      box: bodyPixelBox(env, name),
      visiblePixels: visiblePixels(env, name),
    };
  });
  const fixtureFacts = (['plate', 'tray'] as const).filter(has).map(
    (name): FixtureFacts => ({
      name,
      label: name,
      position: env.bodyPosition(name),
      box: bodyPixelBox(env, name),
      visiblePixels: visiblePixels(env, name),
    }),
  );
  const position = env.gripperPosition();
  const p = env.projectToImage(position);
  const size = env.options.imageSize;
  const inView = p.depth > 0 && p.x >= 0 && p.y >= 0 && p.x < size && p.y < size;
  return {
    imageSize: size,
    objects: objectFacts,
    fixtures: fixtureFacts,
    gripper: {
      position,
      pixel: inView ? [Math.floor(p.x), Math.floor(p.y)] : null,
      closed: env.gripperClosed(),
      halfGap: env.gripperHalfGap(),
      holding: objectNames.find((name) => env.isGrasped(name)) ?? null,
    },
    drawerOpening: has('cabinet') ? env.drawerOpening() : null,
    lightOn: has('button') ? env.lightOn() : null,
  };
}

/** True when the drawer counts as open in text: more than half its travel out (the suites' "open" needs 9 cm). */
export function drawerIsOpen(opening: number): boolean {
  return opening > GEOMETRY.drawerTravel / 2;
}

/**
 * Labels that name exactly one object of the frame. Two identical blue blocks (libero-spatial) share the
 * label `blue block`; text then tells them apart by their pixel position (see {@link describeObject}).
 */
export function uniqueLabels(facts: SceneFacts): Set<string> {
  const counts = new Map<string, number>();
  for (const o of facts.objects) counts.set(o.label, (counts.get(o.label) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n === 1).map(([label]) => label));
}

/** "the red block", or "the blue block at (31, 40)" when the label is shared; fixtures by name. */
export function describeObject(facts: SceneFacts, body: string): string {
  if (body === 'drawer') return 'the drawer';
  if (body === 'button') return 'the button';
  const fixture = facts.fixtures.find((f) => f.name === body);
  if (fixture) return `the ${fixture.label}`;
  const o = facts.objects.find((x) => x.name === body);
  if (!o) return `the ${body.replaceAll('_', ' ')}`;
  if (uniqueLabels(facts).has(o.label) || o.box === null) return `the ${o.label}`;
  const [x0, y0, x1, y1] = o.box;
  return `the ${o.label} at (${Math.round((x0 + x1) / 2)}, ${Math.round((y0 + y1) / 2)})`;
}
