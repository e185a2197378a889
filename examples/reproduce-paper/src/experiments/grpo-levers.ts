// GRPO's sampling levers (issue #21, "GRPO has signal"): GRPO from a finished run's roboalign-sft model on its
// RL prompts, one setting at a time (temperature, group size, KL coefficient, learning rate, steps), and the
// signal each gives: groups with reward variance, the reward's rise and the final KL. Chosen on the RL
// prompts, never on evaluation. One JSON line per setting in `<out>/grpo-levers.jsonl`.
//
//   npx tsx src/experiments/grpo-levers.ts --run results/quick --preset quick --out /tmp/grpo-levers \
//     --lever name=t07,temperature=0.7 --lever name=g8,groupSize=8
//   # FAST's accuracy part from the decoded actions, exp(−MAE / 0.1), instead of the prefix similarity:
//   npx tsx src/experiments/grpo-levers.ts --run results/paper --preset paper --lever name=action,actionRewardTemperature=0.1
//   # 600 fresh RL prompts instead of three passes over the run's 200 (drawn as the data stage draws them):
//   npx tsx src/experiments/grpo-levers.ts --run results/paper --preset paper --rl-prompts 1000 \
//     --lever name=fresh600,steps=120
//   # DAPO's dynamic sampling (up to 4 batches a step), from a model fast-levers.ts trained:
//   npx tsx src/experiments/grpo-levers.ts --run results/paper --preset paper --out /tmp/grpo-levers \
//     --from /tmp/levers/models/think75 --lever name=dynamic4,samplingRounds=4
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ACTION_DIM, describeMachine } from '@roboalign/bench';
import { loadFastTokenizer } from '@roboalign/fast-tokenizer';
import { VlmTokenizer } from '@roboalign/vlm';
import { datasetFiles } from '../data/dataset-files.js';
import { generateRlData } from '../data/rl-data.js';
import type { DatasetManifest } from '../data/types.js';
import { readRlPrompts } from '../pipeline/alignment-targets.js';
import { paddedFastDecoder } from '../pipeline/fast-metrics.js';
import { passRise, summarizeGrpo } from '../pipeline/grpo-summary.js';
import { trainGrpo } from '../pipeline/language-models.js';
import { PIPELINE_PRESETS, type PipelinePreset } from '../pipeline/presets.js';

type GrpoSettings = PipelinePreset['grpo'];
const KEYS = [
  'steps',
  'prompts',
  'maxNewTokens',
  'lr',
  'temperature',
  'groupSize',
  'beta',
  'samplingRounds',
  'actionRewardTemperature',
] as const;

function parseLever(text: string): { name: string; grpo: Partial<GrpoSettings> } {
  let name = '';
  const grpo: Partial<Record<(typeof KEYS)[number], number>> = {};
  for (const pair of text.split(',')) {
    const [key, value] = pair.split('=');
    if (key === 'name') name = value;
    else if ((KEYS as readonly string[]).includes(key)) {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`--lever: ${key}=${value} is not a number`);
      grpo[key as (typeof KEYS)[number]] = n;
    } else throw new Error(`--lever: unknown key "${key}" (known: name, ${KEYS.join(', ')})`);
  }
  if (!name) throw new Error(`--lever "${text}": give it a name=`);
  return { name, grpo };
}

const { values } = parseArgs({
  options: {
    run: { type: 'string', default: 'results/quick' },
    preset: { type: 'string', default: 'quick' },
    out: { type: 'string', default: 'results/grpo-levers' },
    lever: { type: 'string', multiple: true, default: [] },
    // The model GRPO starts from (default the run's models/roboalign-sft), e.g. one fast-levers.ts trained.
    from: { type: 'string' },
    // A larger RL set than the run's: this many prompts, drawn from the same FAST rows with the same seed.
    'rl-prompts': { type: 'string' },
  },
});
if (!Object.hasOwn(PIPELINE_PRESETS, values.preset!))
  throw new Error(`--preset must be one of ${Object.keys(PIPELINE_PRESETS).join(', ')} (the run's own)`);
const preset = PIPELINE_PRESETS[values.preset as keyof typeof PIPELINE_PRESETS];
const run = resolve(values.run!);
const out = resolve(values.out!);
await mkdir(out, { recursive: true });
const tokenizer = await VlmTokenizer.load(join(run, 'tokenizer'));
/**
 * The data stage's RL draw (`generateRlData`) at another count, written in `<out>/rl-<count>/` beside links to
 * the run's FAST rows and images; the shuffle is the run's, so its first rows are the run's RL prompts.
 */
async function largerRlSet(count: number): Promise<string> {
  const data = join(run, 'data');
  const dir = join(out, `rl-${count}`);
  await mkdir(dir, { recursive: true });
  const manifest = async (name: string) =>
    JSON.parse(await readFile(join(data, datasetFiles(name).manifest), 'utf8')) as DatasetManifest;
  const fast = await manifest('fast-actions');
  for (const name of [fast.file, fast.labels, fast.imagesDir]) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    if (!existsSync(join(dir, name))) await symlink(join(data, name), join(dir, name));
  }
  const drawn = await generateRlData({ from: fast, out: dir, count, seed: (await manifest('rl')).seed });
  return join(dir, drawn.file);
}

const rlCount = values['rl-prompts'] === undefined ? undefined : Number(values['rl-prompts']);
if (rlCount !== undefined && !(Number.isInteger(rlCount) && rlCount > 0))
  throw new Error(`--rl-prompts must be a positive integer, got ${values['rl-prompts']}`);
const rl = await readRlPrompts(
  rlCount === undefined ? join(run, 'data', 'rl.jsonl') : await largerRlSet(rlCount),
);
const from = resolve(values.from ?? join(run, 'models', 'roboalign-sft'));
const fast = await loadFastTokenizer(join(run, 'data', 'action-tokenizer'));
const decodeFast = paddedFastDecoder(fast, { horizon: preset.fast.horizon, dim: ACTION_DIM });
const cpu = describeMachine().cpuModel;
for (const { name, grpo } of (values.lever!.length ? values.lever! : ['name=preset']).map(parseLever)) {
  const settings = { ...preset.grpo, ...grpo };
  const started = performance.now();
  const trained = await trainGrpo({
    tokenizer,
    preset: { ...preset, grpo: settings },
    from,
    out: join(out, name),
    rl,
    decodeFast,
  });
  const log = (await readFile(trained.metrics, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);
  const accuracy = log.map((m) => m['rewards/accuracy']);
  // Once every RL prompt was drawn, they come again in the same order: the same prompts, last pass − first
  // (not with dynamic sampling, whose steps draw a varying number of batches).
  const stepsPerPass = rl.length / settings.prompts;
  const revisited =
    Number.isInteger(stepsPerPass) && log.length >= 2 * stepsPerPass && (settings.samplingRounds ?? 1) === 1;
  const line = {
    name,
    from,
    grpo: settings,
    rlPrompts: rl.length,
    ...summarizeGrpo(log, { nonZeroVarianceBefore: trained.nonZeroVarianceBefore, seed: preset.seed }),
    formatReward: log.map((m) => m['rewards/format']),
    accuracyReward: accuracy,
    ...(revisited ? { accuracyPassRise: passRise(accuracy, stepsPerPass, preset.seed) } : {}),
    seconds: (performance.now() - started) / 1000,
    cpu,
  };
  console.log(JSON.stringify(line));
  await appendFile(join(out, 'grpo-levers.jsonl'), `${JSON.stringify(line)}\n`);
}
