import { mulberry32, seedFromParts } from '@roboalign/utils';
import { actionTokensText } from './action-text.js';
import { type ActionTokenizer, loadActionTokenizer } from './action-tokenizer.js';
import { alternativeTargetFacts } from './alternative-targets.js';
import { chatRow } from './chat-rows.js';
import type { EnvCache } from './environments.js';
import { fastPrompt, rlPrompt, thinkActAnswer } from './fast-prompts.js';
import { generalQuestions } from './general-questions.js';
import { generalSceneSpec, sampleGeneralScene } from './general-scenes.js';
import { imagePath, pngImage } from './images.js';
import { type PoolFrame, poolTask, poolTaskName, runPoolEpisode } from './pool-episodes.js';
import {
  type ChoiceQuestion,
  choiceAnswer,
  choicePrompt,
  choiceQuestion,
  optionLetter,
  REASONING_KINDS,
  type TeacherNoise,
  teacherTrace,
} from './reasoning.js';
import { robotQuestions } from './robot-questions.js';
import { snapshotScene } from './scene-facts.js';
import { unitSeed } from './seeds.js';
import { stateText } from './state-text.js';
import type { ProducedRow, Split } from './types.js';

/** What every job names: its dataset (for image paths), seed stream and image size. */
interface JobBase {
  /** Dataset name, e.g. `robot-vqa-heldout`: image paths start `images/<name>/`. */
  readonly name: string;
  readonly seed: number;
  readonly split: Split;
  readonly imageSize: number;
}

/** A unit of work for a thread, as plain data (it crosses to worker threads). */
export type JobSpec =
  | (JobBase & { readonly source: 'general-vqa'; readonly questionsPerScene: number })
  | (JobBase & {
      readonly source: 'robot-vqa';
      readonly frameStride: number;
      readonly questionsPerFrame: number;
    })
  | (JobBase & {
      readonly source: 'reasoning';
      readonly frameStride: number;
      readonly questionsPerFrame: number;
      readonly attempts: number;
      readonly noise: TeacherNoise;
    })
  | (JobBase & {
      readonly source: 'fast-actions';
      readonly frameStride: number;
      /** Folder of the fitted action tokenizer. */
      readonly tokenizerDir: string;
      /** Bins of the robot state written into the prompt (`stateText`); 0 leaves the state out. */
      readonly stateBins: number;
      /** Share of rows asked with the RL prompt and answered think-then-act (`thinkActAnswer`). */
      readonly thinkShare: number;
      /** Label each row with the alternative targets, `high_level` and `trajectory` (`alternativeTargetFacts`). */
      readonly alternativeTargets: boolean;
    })
  | (JobBase & { readonly source: 'fast-pool'; readonly horizon: number });

/** What a `fast-pool` unit yields: the actions of each instruction the expert completed. */
export interface PoolActions {
  /** Row-major `[steps, 7]` actions per completed instruction. */
  readonly episodes: Float32Array[];
}

/** The reasoning unit's bookkeeping: teacher traces tried and frames that had a question. */
export interface ReasoningUnitStats {
  readonly attempted: number;
  readonly questions: number;
}

/** A producer turns unit indices into results; one per job and thread. */
export interface Producer {
  produce(unit: number): Promise<unknown>;
}

/** Minimum agent-view pixels of every placed object in a general scene (a 5 cm block covers about 12). */
const MIN_VISIBLE_PIXELS = 3;
/** Scene draws before a general unit gives up on a fully visible one. */
const SCENE_ATTEMPTS = 8;

/** The rng of a unit's questions, apart from its layout seed. */
const questionRng = (layoutSeed: number) => mulberry32(seedFromParts(layoutSeed, 'questions'));

function generalProducer(job: Extract<JobSpec, { source: 'general-vqa' }>, envs: EnvCache): Producer {
  return {
    async produce(unit) {
      const seed = unitSeed(job.source, job.split, job.seed, unit);
      const rng = mulberry32(seed);
      for (let attempt = 0; attempt < SCENE_ATTEMPTS; attempt++) {
        const scene = sampleGeneralScene(rng);
        const env = await envs.tabletop(generalSceneSpec(scene.withCabinet), job.imageSize);
        env.reset(scene.layout);
        const { image } = env.observe('');
        const facts = snapshotScene(env, scene.present);
        if (facts.objects.some((o) => o.visiblePixels < MIN_VISIBLE_PIXELS || o.box === null)) continue;
        const path = imagePath(job.name, unit, 0, 'agent');
        const png = pngImage(path, image);
        const qas = generalQuestions(facts, questionRng(seed), job.questionsPerScene);
        return qas.map(
          (qa): ProducedRow => ({
            row: chatRow([path], qa.question, qa.answer),
            label: { kind: qa.kind, answer: qa.answer, facts: { ...qa.facts, unit, scene: facts } },
            images: [png],
          }),
        );
      }
      return [];
    },
  };
}

/** Runs unit `unit`'s pool episode with frames every `frameStride` steps (successful instructions only). */
async function poolFrames(
  job: JobBase & { source: string; frameStride: number },
  envs: EnvCache,
  unit: number,
) {
  const seed = unitSeed(job.source, job.split, job.seed, unit);
  const task = poolTask(unit);
  const rng = questionRng(seed);
  const goals = await runPoolEpisode(envs, task, seed, {
    frameStride: job.frameStride,
    horizon: ACTION_HORIZON,
    imageSize: job.imageSize,
    rng,
  });
  const frames = goals.filter((g) => g.success).flatMap((g) => g.frames);
  return { frames, rng, task: poolTaskName(task), seed };
}

/** Steps per action chunk: 10 steps of 7-D actions (half a second at 20 Hz). */
export const ACTION_HORIZON = 10;

function frameFacts(frame: PoolFrame, unit: number, task: string): Record<string, unknown> {
  return { unit, task, goal: frame.goalIndex, step: frame.step, instruction: frame.instruction };
}

function robotProducer(job: Extract<JobSpec, { source: 'robot-vqa' }>, envs: EnvCache): Producer {
  return {
    async produce(unit) {
      const { frames, rng, task } = await poolFrames(job, envs, unit);
      return frames.flatMap((frame) => {
        const path = imagePath(job.name, unit, frame.index, 'agent');
        const png = pngImage(path, frame.image);
        return robotQuestions(frame, rng, job.questionsPerFrame).map(
          (qa): ProducedRow => ({
            row: chatRow([path], qa.question, qa.answer),
            label: {
              kind: qa.kind,
              answer: qa.answer,
              facts: { ...qa.facts, ...frameFacts(frame, unit, task), scene: frame.facts },
            },
            images: [png],
          }),
        );
      });
    },
  };
}

function reasoningProducer(job: Extract<JobSpec, { source: 'reasoning' }>, envs: EnvCache): Producer {
  return {
    async produce(unit) {
      const { frames, rng, task } = await poolFrames(job, envs, unit);
      const rows: ProducedRow[] = [];
      let attempted = 0;
      let questions = 0;
      for (const frame of frames) {
        const kinds = [...REASONING_KINDS];
        const chosen: ChoiceQuestion[] = [];
        while (chosen.length < job.questionsPerFrame && kinds.length > 0) {
          const [kind] = kinds.splice(Math.floor(rng() * kinds.length), 1);
          const question = choiceQuestion(kind, frame, rng);
          if (question) chosen.push(question);
        }
        for (const question of chosen) {
          questions++;
          const right = question.options[question.correct];
          for (let attempt = 0; attempt < job.attempts; attempt++) {
            attempted++;
            const trace = teacherTrace(frame, question, rng, job.noise);
            // The filter: a trace is kept only when its conclusion is the privileged answer.
            if (trace.choice !== right) continue;
            const path = imagePath(job.name, unit, frame.index, 'agent');
            const letter = optionLetter(question.correct);
            rows.push({
              row: chatRow([path], choicePrompt(frame, question), choiceAnswer(trace, letter)),
              label: {
                kind: question.kind,
                answer: letter,
                facts: {
                  ...frameFacts(frame, unit, task),
                  options: question.options,
                  truth: question.truth,
                  scene: frame.facts,
                  attempts: attempt + 1,
                },
              },
              images: [pngImage(path, frame.image)],
            });
            break;
          }
        }
      }
      return { rows, stats: { attempted, questions } satisfies ReasoningUnitStats };
    },
  };
}

function fastProducer(job: Extract<JobSpec, { source: 'fast-actions' }>, envs: EnvCache): Producer {
  let tokenizer: Promise<ActionTokenizer> | undefined;
  return {
    async produce(unit) {
      tokenizer ??= loadActionTokenizer(job.tokenizerDir).then((t) => t.tokenizer);
      const fast = await tokenizer;
      const { frames, task, rng } = await poolFrames(job, envs, unit);
      return frames.map((frame): ProducedRow => {
        const agent = imagePath(job.name, unit, frame.index, 'agent');
        const wrist = imagePath(job.name, unit, frame.index, 'wrist');
        const ids = fast.encode(frame.chunk);
        const tokens = actionTokensText(ids, fast.fastVocabSize);
        const state = job.stateBins > 0 ? stateText(frame.state, job.stateBins) : undefined;
        // Drawn for every frame, so the share does not shift which frames the other rows come from.
        const thinks = rng() < job.thinkShare && frame.phase !== undefined;
        const [question, answer] =
          thinks && frame.phase
            ? [
                rlPrompt(frame.instruction, state),
                thinkActAnswer(frame.instruction, frame.phase, frame.facts, frame.chunk, tokens),
              ]
            : [fastPrompt(frame.instruction, state), tokens];
        return {
          row: { ...chatRow([agent, wrist], question, answer), targetFastIds: ids },
          label: {
            kind: thinks ? 'fast-think-act' : 'fast-chunk',
            answer,
            facts: {
              ...frameFacts(frame, unit, task),
              fast_ids: ids,
              chunk: Array.from(frame.chunk),
              ...(state ? { state_text: state } : {}),
              ...(job.alternativeTargets ? alternativeTargetFacts(frame, job.imageSize) : {}),
            },
          },
          images: [pngImage(agent, frame.image), pngImage(wrist, frame.wristImage)],
        };
      });
    },
  };
}

function poolActionsProducer(job: Extract<JobSpec, { source: 'fast-pool' }>, envs: EnvCache): Producer {
  return {
    async produce(unit) {
      // The same episodes as the FAST rows' units: the tokenizer is fitted on the pool the rows come from.
      const seed = unitSeed('fast-actions', job.split, job.seed, unit);
      const goals = await runPoolEpisode(envs, poolTask(unit), seed, {
        frameStride: 0,
        horizon: job.horizon,
        imageSize: job.imageSize,
        rng: mulberry32(seed),
      });
      return { episodes: goals.filter((g) => g.success).map((g) => g.actions) } satisfies PoolActions;
    },
  };
}

/** The producer of a job, on this thread's compiled scenes. */
export function createProducer(job: JobSpec, envs: EnvCache): Producer {
  switch (job.source) {
    case 'general-vqa':
      return generalProducer(job, envs);
    case 'robot-vqa':
      return robotProducer(job, envs);
    case 'reasoning':
      return reasoningProducer(job, envs);
    case 'fast-actions':
      return fastProducer(job, envs);
    case 'fast-pool':
      return poolActionsProducer(job, envs);
  }
}
