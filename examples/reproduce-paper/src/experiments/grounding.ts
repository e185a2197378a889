// Can the backbone ground, and does a backbone that grounds carry the named object's position into the
// VLA's prompt? (issue #20, libero-object.) On a finished run:
// 1. draws fresh general-VQA rows (another seed than the run's), keeps the grounding questions, and
//    fine-tunes the run's `base` on them alone, the vision tower frozen (saved as models/NAME);
// 2. scores `base` and NAME on the run's held-out grounding questions: the greedy box's centre error in
//    pixels against always answering the training rows' mean box;
// 3. probes both on the first frame of libero-object demonstrations (before the arm moves, where only
//    perception places the object): the report's ridge probe of the target's position from the pooled text
//    tokens, by prompt (the instruction, the grounding question, both) and LM layer (middle, last).
// One JSON line per measurement to --out. Score heads with vla-sweep.ts (--variant NAME --layer, --ask-where).
//
//   npx tsx src/experiments/grounding.ts --run RUN --name ground --rows 30000 --seed 101 --steps 2000 \
//     --out results/vla-sweep/grounding.jsonl
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { recordExpertEpisodes } from '@roboalign/bench';
import { appendJsonl, writeFileAtomic } from '@roboalign/utils';
import { type Conversation, loadSftDataset, readConversations, sft, Vlm, VlmTokenizer } from '@roboalign/vlm';
import { generateGeneralVqa } from '../data/generate-sources.js';
import { presetNamed } from '../pipeline/presets.js';
import { objectProbe } from '../pipeline/probe.js';
import { vlaTrainingSet, whereQuestion } from '../pipeline/vla.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    preset: { type: 'string', default: 'paper' },
    name: { type: 'string', default: 'ground' },
    rows: { type: 'string', default: '30000' },
    seed: { type: 'string', default: '101' },
    steps: { type: 'string', default: '2000' },
    out: { type: 'string' },
  },
});
if (!values.run || !values.out)
  throw new Error('--run RUN (a finished run folder) and --out FILE are required');
const whole = (flag: 'rows' | 'seed' | 'steps') => {
  const n = Number(values[flag]);
  if (!(Number.isInteger(n) && n >= 0))
    throw new Error(`--${flag} must be a whole number, got "${values[flag]}"`);
  return n;
};
const run = resolve(values.run);
const preset = presetNamed(values.preset!);
const out = resolve(values.out);
const tokenizer = await VlmTokenizer.load(join(run, 'tokenizer'));

interface GroundingRow {
  conversation: Conversation;
  box: [number, number, number, number];
  line: string;
}

/** The grounding rows of a general-VQA file, with their true boxes. */
async function groundingRows(file: string): Promise<GroundingRow[]> {
  const lines = (await readFile(`${file}.jsonl`, 'utf8')).trim().split('\n');
  const labels = (await readFile(`${file}.labels.jsonl`, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; facts: { box?: [number, number, number, number] } });
  const conversations = await readConversations(`${file}.jsonl`);
  return labels.flatMap((label, i) =>
    label.kind === 'grounding' && label.facts.box
      ? [{ conversation: conversations[i].conversation, box: label.facts.box, line: lines[i] }]
      : [],
  );
}

// 1. Fresh grounding rows and the fine-tune (both kept: a second call reuses them).
const data = join(run, `grounding-data-${whole('seed')}`);
if (!existsSync(join(data, 'general-vqa.jsonl')))
  await generateGeneralVqa({
    out: data,
    count: whole('rows'),
    seed: whole('seed'),
    imageSize: preset.imageSize,
  });
const fresh = await groundingRows(join(data, 'general-vqa'));
const tuned = join(run, 'models', values.name!);
if (!existsSync(tuned)) {
  const trainFile = join(data, 'grounding-only.jsonl');
  await writeFileAtomic(trainFile, `${fresh.map((r) => r.line).join('\n')}\n`);
  const model = await Vlm.load(join(run, 'models', 'base'), tokenizer);
  const t0 = performance.now();
  await sft(model, [await loadSftDataset(model, trainFile, { name: 'grounding' })], {
    steps: whole('steps'),
    batchSize: preset.batchSize,
    lr: preset.lr,
    seed: preset.seed,
    frozen: ['vision_tower.'],
    label: values.name,
  });
  await model.save(tuned);
  await model.release();
  await appendJsonl(out, {
    measure: 'fine-tune',
    model: values.name,
    groundingRows: fresh.length,
    steps: whole('steps'),
    seconds: Math.round((performance.now() - t0) / 1000),
  });
}

// 2. Grounding error on the run's held-out questions, against the mean box of the fine-tune's rows.
const centre = (b: readonly number[]) => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
const meanCentre = [0, 1].map((k) => fresh.reduce((s, r) => s + centre(r.box)[k], 0) / fresh.length);
const heldOut = await groundingRows(join(run, 'data', 'general-vqa-heldout'));
const models = ['base', values.name!];
for (const name of models) {
  const vlm = await Vlm.load(join(run, 'models', name), tokenizer);
  const replies = await vlm.generate(
    heldOut.map((r) => ({ messages: r.conversation.messages.slice(0, -1) })),
    { temperature: 0, maxNewTokens: 24 },
  );
  let error = 0;
  let meanBoxError = 0;
  let parsed = 0;
  heldOut.forEach((row, i) => {
    const truth = centre(row.box);
    const box = replies[i][0].text
      .match(/\[(\d+), (\d+), (\d+), (\d+)\]/)
      ?.slice(1)
      .map(Number);
    if (box) parsed++;
    const guess = box ? centre(box) : meanCentre; // an unparsable answer counts as the mean box
    error += Math.hypot(guess[0] - truth[0], guess[1] - truth[1]);
    meanBoxError += Math.hypot(meanCentre[0] - truth[0], meanCentre[1] - truth[1]);
  });
  await appendJsonl(out, {
    measure: 'held-out grounding',
    model: name,
    questions: heldOut.length,
    parsed,
    centreErrorPx: error / heldOut.length,
    meanBoxCentreErrorPx: meanBoxError / heldOut.length,
  });
  await vlm.release();
}

// 3. First-frame object probes by prompt and layer.
const demos = (
  await recordExpertEpisodes('libero-object', { episodes: 40, firstTrial: 1000, imageSize: preset.imageSize })
).episodes;
// The question alone replaces the instruction; `askWhere` appends it as the VLA's prompt option does.
const prompts: Record<string, { rewrite: (instruction: string) => string; askWhere: boolean }> = {
  instruction: { rewrite: (i) => i, askWhere: false },
  question: { rewrite: (i) => whereQuestion(i) ?? i, askWhere: false },
  'instruction + question': { rewrite: (i) => i, askWhere: true },
};
for (const name of models) {
  const vlm = await Vlm.load(join(run, 'models', name), tokenizer);
  const layers = vlm.config.text.layers;
  for (const [prompt, { rewrite, askWhere }] of Object.entries(prompts)) {
    const asked = demos.map((d) => ({ ...d, instruction: rewrite(d.instruction) }));
    for (const layer of [Math.floor(layers / 2), layers]) {
      // A stride longer than any demonstration keeps each one's first frame.
      const set = await vlaTrainingSet(vlm, asked, 100_000, {
        features: 'text',
        state: true,
        layer,
        askWhere,
      });
      const probe = objectProbe(set, preset.seed);
      await appendJsonl(out, {
        measure: 'first-frame object probe',
        model: name,
        prompt,
        layer,
        frames: set.samples.length,
        objectR2: probe?.r2 ?? null,
        ci95: probe?.ci95 ?? null,
      });
    }
  }
  await vlm.release();
}
console.log(`grounding: lines appended to ${out}`);
