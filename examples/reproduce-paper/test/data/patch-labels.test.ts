import { describe, expect, it } from 'vitest';
import { patchClassNames, patchLabels } from '../../src/data/patch-labels.js';
import type { SceneFacts } from '../../src/data/scene-facts.js';

/** A 16-pixel frame of 8-pixel patches (2×2): hand-placed boxes. */
function scene(overrides: Partial<SceneFacts> = {}): SceneFacts {
  return {
    imageSize: 16,
    objects: [
      // 3×3 = 9 pixels in patch 0 (top left), 1×3 = 3 in patch 1: names patch 0 only.
      {
        name: 'red_block',
        label: 'red block',
        noun: 'block',
        color: 'red',
        position: [0, 0, 0],
        box: [5, 2, 8, 4],
        visiblePixels: 12,
      },
      // Out of view.
      {
        name: 'blue_can',
        label: 'blue can',
        noun: 'can',
        color: 'blue',
        position: [0, 0, 0],
        box: null,
        visiblePixels: 0,
      },
    ],
    // Covers patches 0 and 2 (bottom left) by 8×4 = 32 and 8×4 = 32 pixels: the object wins patch 0.
    fixtures: [{ name: 'plate', label: 'plate', position: [0, 0, 0], box: [0, 4, 7, 11], visiblePixels: 64 }],
    gripper: { position: [0, 0, 0], pixel: [12, 13], closed: false, halfGap: 0.044, holding: null },
    drawerOpening: null,
    lightOn: null,
    ...overrides,
  };
}

describe('patch labels', () => {
  const names = patchClassNames([scene()]);

  it('lists the base classes, then every object and fixture label sorted', () => {
    expect(names).toEqual(['background', 'gripper', 'blue can', 'plate', 'red block']);
  });

  it('names each patch by the object, else the fixture, else the gripper, else background', () => {
    // Patches: 0 red block (an object beats the plate), 1 background (3 pixels of block < 4),
    // 2 plate, 3 gripper (its grasp point at column 12, row 13).
    expect(Array.from(patchLabels(scene(), 8, names))).toEqual([4, 0, 3, 1]);
    // Without the gripper in view, patch 3 is background.
    const away = scene({ gripper: { ...scene().gripper, pixel: null } });
    expect(Array.from(patchLabels(away, 8, names))).toEqual([4, 0, 3, 0]);
  });

  it('names what is wrong', () => {
    expect(() => patchLabels(scene(), 5, names)).toThrow(
      /16-pixel image does not split into 5-pixel patches/,
    );
    expect(() => patchLabels(scene(), 8, ['background', 'gripper'])).toThrow(
      /"red block" is not a patch class/,
    );
  });
});
