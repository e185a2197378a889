import type { MovableSpec, Rgb } from '../sim/scene-xml.js';

/** Named colours of the object catalogue. */
export const COLORS = {
  red: [0.85, 0.15, 0.12],
  green: [0.2, 0.7, 0.25],
  blue: [0.15, 0.3, 0.85],
  yellow: [0.95, 0.8, 0.15],
  orange: [0.95, 0.5, 0.1],
  purple: [0.55, 0.25, 0.7],
  white: [0.95, 0.95, 0.95],
  pink: [0.95, 0.5, 0.7],
  cyan: [0.2, 0.75, 0.8],
  black: [0.12, 0.12, 0.12],
} as const satisfies Record<string, Rgb>;

/** A block (5 cm cube) of a colour; its name is `<colour>_block`. */
export function block(color: keyof typeof COLORS, name = `${color}_block`): MovableSpec {
  return { name, shape: 'cube', color: COLORS[color] };
}

/** A can (upright cylinder) of a colour; its name is `<colour>_can`. */
export function can(color: keyof typeof COLORS): MovableSpec {
  return { name: `${color}_can`, shape: 'cylinder', color: COLORS[color] };
}

/** How an object is called in instructions: `red_block` → "red block". */
export function spoken(name: string): string {
  return name.replace(/_[a-z]$/, '').replaceAll('_', ' ');
}
