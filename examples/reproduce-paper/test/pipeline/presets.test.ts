import { describe, expect, it } from 'vitest';
import { deviations, PIPELINE_PRESETS, presetNamed } from '../../src/pipeline/presets.js';

describe('presetNamed', () => {
  it('returns the preset of that name', () => {
    expect(presetNamed('paper')).toBe(PIPELINE_PRESETS.paper);
  });

  it('names the presets there are for an unknown name, an inherited property included', () => {
    expect(() => presetNamed('huge')).toThrow('unknown preset "huge" (presets: smoke, quick, paper)');
    expect(() => presetNamed('toString')).toThrow(/unknown preset "toString"/);
  });
});

describe('deviations', () => {
  it('names dynamic sampling only when GRPO samples more than one batch a step', () => {
    const paper = PIPELINE_PRESETS.paper;
    const dapo = /DAPO's dynamic sampling \(up to 4 batches a step/;
    expect(deviations(paper).join('\n')).not.toMatch(/dynamic sampling/);
    expect(deviations({ ...paper, grpo: { ...paper.grpo, samplingRounds: 1 } }).join('\n')).not.toMatch(dapo);
    expect(deviations({ ...paper, grpo: { ...paper.grpo, samplingRounds: 4 } }).join('\n')).toMatch(dapo);
  });

  it('names the action-distance accuracy only when GRPO uses it', () => {
    const paper = PIPELINE_PRESETS.paper;
    const line = /GRPO's FAST accuracy is exp\(−MAE \/ 0\.1\) of the decoded chunk/;
    expect(deviations(paper).join('\n')).not.toMatch(/FAST accuracy is exp/);
    expect(
      deviations({ ...paper, grpo: { ...paper.grpo, actionRewardTemperature: 0.1 } }).join('\n'),
    ).toMatch(line);
  });
});
