import { describe, expect, it } from 'vitest';
import { PIPELINE_PRESETS, presetNamed } from '../../src/pipeline/presets.js';

describe('presetNamed', () => {
  it('returns the preset of that name', () => {
    expect(presetNamed('paper')).toBe(PIPELINE_PRESETS.paper);
  });

  it('names the presets there are for an unknown name, an inherited property included', () => {
    expect(() => presetNamed('huge')).toThrow('unknown preset "huge" (presets: smoke, quick, paper)');
    expect(() => presetNamed('toString')).toThrow(/unknown preset "toString"/);
  });
});
