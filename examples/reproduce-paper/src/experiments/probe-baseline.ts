// The feature probe's blind baseline (issue #20, part 3): the same ridge probes as the report's, over the
// same demonstrations and frames of a finished run, fitted on a backbone's pooled features and on the blind
// instruction-word features (the task without the scene), each alone and with the robot state. What a
// backbone's R² adds over the blind R² is what its features know beyond the task (and beyond the state).
// One JSON line per feature source and input.
//
//   npx tsx src/experiments/probe-baseline.ts --run results/paper --preset paper --variants base,roboalign
//
// `--suites` probes other suites than the preset's, and `--record N` records N expert demonstrations per
// task (trials 1000+, as the pipeline's) instead of reading the run's, for suites the run did not record.
// `--stride K` keeps every K-th frame instead of the preset's stride; one longer than any demonstration keeps
// only each demonstration's first frame, before the arm moves, where only perception can place the object.
// `--oracle` adds the grounded oracle's features (true positions on the words naming them): the probe's
// positive control on recorded demonstrations.
import { parseArgs } from 'node:util';
import { recordExpertEpisodes } from '@roboalign/bench';
import { Vlm, VlmTokenizer } from '@roboalign/vlm';
import { demoDir, loadDemos } from '../pipeline/demo-store.js';
import { PIPELINE_PRESETS } from '../pipeline/presets.js';
import { actionProbe, objectProbe } from '../pipeline/probe.js';
import { type HeadInputs, vlaTrainingSet } from '../pipeline/vla.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string', default: 'results/paper' },
    preset: { type: 'string', default: 'paper' },
    variants: { type: 'string', default: 'base' },
    suites: { type: 'string' },
    record: { type: 'string' },
    stride: { type: 'string' },
    oracle: { type: 'boolean', default: false },
  },
});
if (!Object.hasOwn(PIPELINE_PRESETS, values.preset!))
  throw new Error(`--preset must be one of ${Object.keys(PIPELINE_PRESETS).join(', ')} (the run's own)`);
const { vla, seed, imageSize } = PIPELINE_PRESETS[values.preset as keyof typeof PIPELINE_PRESETS];
const suites = values.suites?.split(',') ?? vla.suites;
const recordPerTask = values.record === undefined ? null : Number.parseInt(values.record, 10);
if (recordPerTask !== null && !(recordPerTask > 0))
  throw new Error(`--record must be a positive integer, got ${values.record}`);
const frameStride = values.stride === undefined ? vla.frameStride : Number.parseInt(values.stride, 10);
if (!(frameStride > 0)) throw new Error(`--stride must be a positive integer, got ${values.stride}`);
const demos = (
  await Promise.all(
    suites.map(async (s) =>
      recordPerTask === null
        ? loadDemos(demoDir(values.run!, s))
        : (
            await recordExpertEpisodes(s, { episodes: recordPerTask, firstTrial: 1000, imageSize })
          ).episodes,
    ),
  )
).flat();
const tokenizer = await VlmTokenizer.load(`${values.run}/tokenizer`);

/** Prints the probes of one feature source over the run's demonstrations. */
async function probeSource(name: string, vlm: Vlm | null, inputs: HeadInputs): Promise<void> {
  const set = await vlaTrainingSet(vlm, demos, frameStride, inputs);
  // Features alone (the report's probe), then with the robot state the head also reads.
  for (const withState of [false, true]) {
    const action = actionProbe(set, seed, { withState });
    const object = objectProbe(set, seed, { withState });
    console.log(JSON.stringify({ source: name, withState, samples: set.samples.length, action, object }));
  }
}

// The controls first; they read no backbone.
await probeSource('instruction words (blind)', null, { features: 'instruction', state: true });
if (values.oracle) await probeSource('grounded oracle', null, { features: 'grounded-oracle', state: true });
for (const name of values.variants!.split(',')) {
  const vlm = await Vlm.load(`${values.run}/models/${name}`, tokenizer);
  await probeSource(name, vlm, { features: vla.features, state: true });
  await vlm.release();
}
