// Chooses the frozen-backbone VLA's settings on validation initial states (trials 500+), never on the
// evaluation's (trials 0+) or the demonstrations' (1000+). One configuration per call; one JSON line out.
//
//   tsx src/experiments/vla-sweep.ts --run results/quick --variant base --suites libero-goal \
//     --demos 10 --steps 1500 --features all --state true --val-trials 2
//
// `--layer L` reads LM layer L instead of the middle one; `--vl-layers N` gives the head N self-attention
// layers over the backbone tokens before its DiT reads them (the presets' head has 1; GR00T N1.5 has 4);
// `--ask-where` appends the general-VQA grounding question about the named object to the backbone's prompt.
import { parseArgs } from 'node:util';
import { type ChainsReport, type EpisodesReport, evaluate, recordExpertEpisodes } from '@roboalign/bench';
import { appendJsonl } from '@roboalign/utils';
import { Vlm, VlmTokenizer } from '@roboalign/vlm';
import {
  chainLengths,
  episodeOutcomes,
  type HeadInputs,
  type HeadLrSchedule,
  tailMean,
  trainVlaHead,
  VALIDATION_FIRST_TRIAL,
  vlaPolicy,
  vlaTrainingSet,
} from '../pipeline/vla.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string', default: 'results/quick' },
    variant: { type: 'string', default: 'base' },
    suites: { type: 'string', default: 'libero-goal' },
    demos: { type: 'string', default: '4' },
    stride: { type: 'string', default: '5' },
    steps: { type: 'string', default: '300' },
    lr: { type: 'string', default: '3e-4' },
    schedule: { type: 'string', default: 'constant' },
    batch: { type: 'string', default: '32' },
    features: { type: 'string', default: 'all' },
    state: { type: 'string', default: 'true' },
    replan: { type: 'string', default: '5' },
    'val-trials': { type: 'string', default: '2' },
    'image-size': { type: 'string', default: '48' },
    seed: { type: 'string', default: '0' },
    layer: { type: 'string' },
    'vl-layers': { type: 'string', default: '1' },
    'ask-where': { type: 'boolean', default: false },
    out: { type: 'string', default: 'vla-sweep.jsonl' },
  },
});
const int = (name: keyof typeof values) => Number.parseInt(String(values[name]), 10);
const suites = String(values.suites).split(',');
const featureChoice = String(values.features);
const CONTROLS = ['none', 'instruction', 'oracle', 'grounded-oracle'];
if (!['all', 'text', ...CONTROLS].includes(featureChoice))
  throw new Error('--features must be all, text, none, instruction, oracle or grounded-oracle');
const inputs: HeadInputs = {
  features: featureChoice as HeadInputs['features'],
  state: values.state === 'true',
  ...(values.layer === undefined ? {} : { layer: int('layer') }),
  ...(values['ask-where'] ? { askWhere: true } : {}),
};
const imageSize = int('image-size');
function lrSchedule(name: string): HeadLrSchedule {
  if (name !== 'constant' && name !== 'cosine')
    throw new Error(`--schedule must be constant or cosine, got ${name}`);
  return name;
}
const t0 = performance.now();

// The controls read no backbone, so they need no run folder.
const vlm = CONTROLS.includes(featureChoice)
  ? null
  : await Vlm.load(
      `${values.run}/models/${values.variant}`,
      await VlmTokenizer.load(`${values.run}/tokenizer`),
    );
const demos = (
  await Promise.all(
    suites.map(
      async (s) =>
        (
          await recordExpertEpisodes(s, { episodes: int('demos'), firstTrial: 1000, imageSize })
        ).episodes,
    ),
  )
).flat();
const vlLayers = int('vl-layers');
if (!(vlLayers >= 1)) throw new Error(`--vl-layers must be a positive integer, got ${values['vl-layers']}`);
const set = await vlaTrainingSet(vlm, demos, int('stride'), inputs, { vlLayers });
const tFeatures = performance.now();
const trained = await trainVlaHead(set, {
  steps: int('steps'),
  seed: int('seed'),
  lr: Number(values.lr),
  schedule: lrSchedule(String(values.schedule)),
  batchSize: int('batch'),
  progress: true,
});
const tTrain = performance.now();
const perSuite: Record<string, { successes: number; episodes: number; outcomes: boolean[] }> = {};
for (const suite of suites) {
  if (suite === 'calvin') {
    // Chains 500+: validation chains, apart from the evaluation's (0+) and the demonstrations' (1000+).
    const chains = (await evaluate(vlaPolicy(vlm, trained, int('seed')), suite, {
      chains: int('val-trials') * 10,
      firstTrial: VALIDATION_FIRST_TRIAL,
      seed: 11,
      replanSteps: int('replan'),
      imageSize,
      videos: 'none',
    })) as ChainsReport;
    const lengths = chainLengths(chains);
    perSuite[suite] = {
      successes: lengths.reduce((a, b) => a + b, 0),
      episodes: lengths.length,
      outcomes: [],
    };
    console.log(`calvin validation chains: ${lengths.join(',')} (average ${chains.avgLen})`);
    continue;
  }
  const report = (await evaluate(vlaPolicy(vlm, trained, int('seed')), suite, {
    trials: int('val-trials'),
    firstTrial: VALIDATION_FIRST_TRIAL,
    seed: 11,
    replanSteps: int('replan'),
    imageSize,
    videos: 'none',
  })) as EpisodesReport;
  // Per episode, for the discordance between two seeds that sizes the paired test.
  const outcomes = episodeOutcomes(report);
  perSuite[suite] = { successes: outcomes.filter(Boolean).length, episodes: outcomes.length, outcomes };
}
const successes = Object.values(perSuite).reduce((a, s) => a + s.successes, 0);
const episodes = Object.values(perSuite).reduce((a, s) => a + s.episodes, 0);
const line = {
  config: { ...values, out: undefined },
  samples: set.samples.length,
  tokens: set.tokens,
  loss: tailMean(trained.losses),
  validation: { successRate: successes / episodes, successes, episodes, perSuite },
  seconds: {
    features: (tFeatures - t0) / 1000,
    train: (tTrain - tFeatures) / 1000,
    evaluate: (performance.now() - tTrain) / 1000,
  },
};
console.log(JSON.stringify(line));
await appendJsonl(String(values.out), line);
await trained.head.release();
await vlm?.release();
