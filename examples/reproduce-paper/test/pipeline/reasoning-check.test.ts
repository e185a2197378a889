import { describe, expect, it } from 'vitest';
import { thinkText } from '../../src/data/fast-prompts.js';
import { reasoningAgreement, reasoningParts } from '../../src/pipeline/reasoning-check.js';

describe('reasoning agreement', () => {
  const lower = thinkText('lift the cup', 'lower the gripper to the cup at (3, 4)', [0, 0, -1, 0, 0, -1]);
  it('reads the next step and the motion out of a templated reasoning', () => {
    expect(lower).toMatch(/^<think>The task is to lift the cup\. Next: lower the gripper/);
    const parts = reasoningParts(`${lower}<answer><ACTION_START>`);
    expect(parts?.nextStep).toBe('lower the gripper to the cup at (3, 4)');
    expect(parts?.motion).toMatch(/^(moves .+|stays in place)$/);
    expect(reasoningParts('<think>no template</think>')).toBeNull();
  });

  it('counts the right next steps and motions (hand table)', () => {
    const open = thinkText('lift the cup', 'open the gripper', [0, 0, 0, 0, 0, 0]);
    const other = lower.replace('at (3, 4)', 'at (9, 9)');
    const lift = lower.replace('lower the gripper to', 'lift');
    // Right on all; right verb and motion, wrong step; off the template; right on all; right motion only.
    const generated = [lower, other, 'I do not know', open, lift];
    expect(reasoningAgreement(generated, [lower, lower, lower, open, lower])).toEqual({
      nextStep: 0.4,
      nextStepVerb: 0.6,
      motion: 0.8,
    });
    expect(() => reasoningAgreement([lower], [])).toThrow(/1 reasonings for 0 true ones/);
    expect(() => reasoningAgreement([lower], ['free text'])).toThrow(/true reasoning 0 is off the template/);
  });
});
