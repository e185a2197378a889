import { GEOMETRY, type Layout, objects, type SceneSpec } from '@roboalign/bench';
import type { Rng } from '@roboalign/utils';
import type { PresentBodies } from './scene-facts.js';

/** Every colour of bench's catalogue as a block and as a can: 20 movables, each placed or parked per scene. */
const CATALOGUE = Object.keys(objects.COLORS).flatMap((color) => [
  objects.block(color as keyof typeof objects.COLORS),
  objects.can(color as keyof typeof objects.COLORS),
]);

/**
 * The two compiled scenes of general data, with and without the cabinet: one compile per worker serves every
 * random scene, since the bodies a scene does not use are parked far outside the camera's view.
 */
export function generalSceneSpec(withCabinet: boolean): SceneSpec {
  return {
    objects: CATALOGUE,
    fixtures: { plate: true, tray: true, button: true, cabinet: withCabinet },
  };
}

/** A random tabletop: what the scene compiles, where everything goes, and what is on the table. */
export interface GeneralScene {
  readonly withCabinet: boolean;
  readonly layout: Layout;
  readonly present: PresentBodies;
}

const TABLE = { x: [-0.25, 0.25], y: [-0.22, 0.2] } as const;
/** Where the cabinet and its drawer (pulled out) stand, kept clear of objects. */
const CABINET_ZONE = { x: [-0.36, -0.08], y: [-0.1, 0.32] } as const;
const OBJECT_SPACING = 0.075;

interface Disc {
  x: number;
  y: number;
  r: number;
}

const between = (rng: Rng, [lo, hi]: readonly [number, number]) => lo + (hi - lo) * rng();

/** Draws a free spot for a footprint of radius `r`, or null after 60 tries. */
function freeSpot(rng: Rng, r: number, taken: Disc[], withCabinet: boolean): Disc | null {
  for (let attempt = 0; attempt < 60; attempt++) {
    const spot = { x: between(rng, TABLE.x), y: between(rng, TABLE.y), r };
    const inCabinet =
      withCabinet &&
      spot.x + r > CABINET_ZONE.x[0] &&
      spot.x - r < CABINET_ZONE.x[1] &&
      spot.y + r > CABINET_ZONE.y[0] &&
      spot.y - r < CABINET_ZONE.y[1];
    if (inCabinet) continue;
    if (taken.every((d) => Math.hypot(d.x - spot.x, d.y - spot.y) >= d.r + spot.r)) return spot;
  }
  return null;
}

/** Parking spots far outside the camera's view (objects rest on the plane's infinite collision surface). */
const parkObject = (i: number) => ({ x: 2 + 0.12 * i, y: 2.5 });
const parkFixture = (i: number) => ({ x: -2 - 0.4 * i, y: 2.5 });

/**
 * Samples a random scene: 1–5 distinct catalogue objects with random yaw, and each of plate, tray and button
 * with some probability, on non-overlapping spots; the drawer open or closed, the lamp on or off, the gripper
 * somewhere above the table.
 */
export function sampleGeneralScene(rng: Rng): GeneralScene {
  const withCabinet = rng() < 0.5;
  const taken: Disc[] = [];
  const fixtures: PresentBodies['fixtures'][number][] = withCabinet ? ['cabinet'] : [];
  const place = (r: number) => {
    const spot = freeSpot(rng, r, taken, withCabinet);
    if (spot) taken.push(spot);
    return spot;
  };
  const plate = rng() < 0.5 ? place(GEOMETRY.plateRadius + 0.01) : null;
  const tray = rng() < 0.4 ? place(GEOMETRY.trayHalf * Math.SQRT2) : null;
  const button = rng() < 0.35 ? place(0.07) : null;
  if (plate) fixtures.push('plate');
  if (tray) fixtures.push('tray');
  if (button) fixtures.push('button');
  const wanted = 1 + Math.floor(rng() * 5);
  const order = CATALOGUE.map((o) => o.name);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const placed: Record<string, { x: number; y: number; yaw: number }> = {};
  for (const name of order.slice(0, wanted)) {
    const spot = place(OBJECT_SPACING / 2);
    if (spot) placed[name] = { x: spot.x, y: spot.y, yaw: (rng() * 2 - 1) * Math.PI };
  }
  const layoutObjects: Layout['objects'] = Object.fromEntries(
    CATALOGUE.map((o, i) => [o.name, placed[o.name] ?? parkObject(i)]),
  );
  return {
    withCabinet,
    present: { objects: order.filter((name) => name in placed), fixtures },
    layout: {
      objects: layoutObjects,
      plate: plate ?? parkFixture(0),
      tray: tray ?? parkFixture(1),
      button: button ?? parkFixture(2),
      // Open means past the suites' 9 cm, so "open" and "closed" are never borderline.
      drawer: withCabinet && rng() < 0.4 ? 0.09 + 0.05 * rng() : 0,
      lightOn: rng() < 0.5,
      gripper: { x: between(rng, [-0.2, 0.2]), y: between(rng, [-0.22, 0.05]), z: between(rng, [0.16, 0.3]) },
    },
  };
}
