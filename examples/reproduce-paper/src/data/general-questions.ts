import type { Rng } from '@roboalign/utils';
import { boxIou, formatBox } from './pixel-boxes.js';
import {
  drawerIsOpen,
  type FixtureFacts,
  type ObjectFacts,
  type SceneFacts,
  uniqueLabels,
} from './scene-facts.js';

/** A question about one image with its answer and the facts it rests on. */
export interface QuestionAnswer {
  readonly kind: string;
  readonly question: string;
  readonly answer: string;
  readonly facts: Readonly<Record<string, unknown>>;
}

/** The kinds of general questions, with their relative frequency. */
export const GENERAL_KINDS = {
  caption: 1,
  identify: 1,
  color: 1,
  count: 1,
  relation: 1.5,
  grounding: 2,
  state: 0.5,
} as const;

export type GeneralKind = keyof typeof GENERAL_KINDS;

/** Centimetres of separation below which "left of" or "closer" is not asked. */
const RELATION_MARGIN = 0.04;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

/** "a, b and c". */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

type Boxed = ObjectFacts | FixtureFacts;

/** "a red block", "an orange can". */
export const withArticle = (label: string) => `${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label}`;

function caption(f: SceneFacts): QuestionAnswer | null {
  const things: Boxed[] = [...f.objects, ...f.fixtures].sort((a, b) => a.position[0] - b.position[0]);
  if (things.length === 0) return null;
  const parts = [`From left to right, the table holds ${listing(things.map((t) => withArticle(t.label)))}.`];
  if (f.lightOn !== null) parts.push(`A button stands by a lamp that is ${f.lightOn ? 'on' : 'off'}.`);
  if (f.drawerOpening !== null)
    parts.push(
      `A cabinet stands on the left; its drawer is ${drawerIsOpen(f.drawerOpening) ? 'open' : 'closed'}.`,
    );
  return {
    kind: 'caption',
    question: 'Describe the scene.',
    answer: parts.join(' '),
    facts: { order: things.map((t) => t.label) },
  };
}

/** Objects whose box no other object's box overlaps much, so a box names one object. */
function distinctlyBoxed(f: SceneFacts): ObjectFacts[] {
  return f.objects.filter(
    (o) => o.box && f.objects.every((other) => other === o || !other.box || boxIou(o.box!, other.box) < 0.3),
  );
}

function identify(f: SceneFacts, rng: Rng): QuestionAnswer | null {
  const candidates = distinctlyBoxed(f);
  if (candidates.length === 0) return null;
  const o = pick(rng, candidates);
  return {
    kind: 'identify',
    question: `What is the object in the box ${formatBox(o.box!)}?`,
    answer: withArticle(o.label),
    facts: { object: o.name, box: o.box },
  };
}

/** A phrase naming `o` among the objects without its colour, or null when none does. */
function referWithoutColor(f: SceneFacts, o: ObjectFacts): string | null {
  const same = f.objects.filter((x) => x.noun === o.noun);
  if (same.length === 1) return `the ${o.noun}`;
  const others = same.filter((x) => x !== o);
  if (others.every((x) => x.position[0] > o.position[0] + RELATION_MARGIN)) return `the leftmost ${o.noun}`;
  if (others.every((x) => x.position[0] < o.position[0] - RELATION_MARGIN)) return `the rightmost ${o.noun}`;
  if (others.every((x) => x.position[1] > o.position[1] + RELATION_MARGIN))
    return `the ${o.noun} closest to the robot`;
  return null;
}

function color(f: SceneFacts, rng: Rng): QuestionAnswer | null {
  const candidates = f.objects
    .map((o) => ({ o, phrase: referWithoutColor(f, o) }))
    .filter((c): c is { o: ObjectFacts; phrase: string } => c.phrase !== null);
  if (candidates.length === 0) return null;
  const { o, phrase } = pick(rng, candidates);
  return {
    kind: 'color',
    question: `What colour is ${phrase}?`,
    answer: o.color,
    facts: { object: o.name, phrase },
  };
}

function count(f: SceneFacts, rng: Rng): QuestionAnswer | null {
  const variant = pick(rng, ['block', 'can', 'object', 'color'] as const);
  if (variant === 'color') {
    if (f.objects.length === 0) return null;
    const c = pick(rng, f.objects).color;
    const n = f.objects.filter((o) => o.color === c).length;
    return {
      kind: 'count',
      question: `How many ${c} blocks and cans are on the table?`,
      answer: String(n),
      facts: { color: c },
    };
  }
  const n = f.objects.filter((o) => variant === 'object' || o.noun === variant).length;
  // The plate and the tray are on the table too: "objects" would be ambiguous, so blocks and cans are named.
  return {
    kind: 'count',
    question: `How many ${variant === 'object' ? 'blocks and can' : variant}s are on the table?`,
    answer: String(n),
    facts: { noun: variant },
  };
}

function relation(f: SceneFacts, rng: Rng): QuestionAnswer | null {
  const unique = uniqueLabels(f);
  const named: Boxed[] = [...f.objects.filter((o) => unique.has(o.label)), ...f.fixtures];
  const pairs: [Boxed, Boxed, 'x' | 'y'][] = [];
  for (const a of named)
    for (const b of named) {
      if (a === b) continue;
      if (a.position[0] < b.position[0] - RELATION_MARGIN) pairs.push([a, b, 'x']);
      if (a.position[1] < b.position[1] - RELATION_MARGIN) pairs.push([a, b, 'y']);
    }
  if (pairs.length === 0) return null;
  // a is left of (x) or closer to the robot than (y) b.
  const [a, b, axis] = pick(rng, pairs);
  const facts = { first: a.name, second: b.name, axis };
  if (rng() < 0.5) {
    const [p, q] = rng() < 0.5 ? [a, b] : [b, a];
    return {
      kind: 'relation',
      question:
        axis === 'x'
          ? `Which is further left, the ${p.label} or the ${q.label}?`
          : `Which is closer to the robot, the ${p.label} or the ${q.label}?`,
      answer: `the ${a.label}`,
      facts,
    };
  }
  const askTrue = rng() < 0.5;
  const [p, q] = askTrue ? [a, b] : [b, a];
  return {
    kind: 'relation',
    question:
      axis === 'x'
        ? `Is the ${p.label} to the left of the ${q.label}?`
        : `Is the ${p.label} closer to the robot than the ${q.label}?`,
    answer: askTrue ? 'yes' : 'no',
    facts,
  };
}

function grounding(f: SceneFacts, rng: Rng): QuestionAnswer | null {
  const unique = uniqueLabels(f);
  const candidates: Boxed[] = [
    ...f.objects.filter((o) => unique.has(o.label) && o.box),
    ...f.fixtures.filter((x) => x.box),
  ];
  if (candidates.length === 0) return null;
  const t = pick(rng, candidates);
  return {
    kind: 'grounding',
    question: `Where is the ${t.label} in the image? Answer with its box [x0, y0, x1, y1] in pixels.`,
    answer: formatBox(t.box!),
    facts: { object: t.name, box: t.box },
  };
}

function state(f: SceneFacts, rng: Rng): QuestionAnswer | null {
  const options: QuestionAnswer[] = [];
  if (f.drawerOpening !== null)
    options.push({
      kind: 'state',
      question: 'Is the drawer open or closed?',
      answer: drawerIsOpen(f.drawerOpening) ? 'open' : 'closed',
      facts: { drawerOpening: f.drawerOpening },
    });
  if (f.lightOn !== null)
    options.push({
      kind: 'state',
      question: 'Is the lamp on?',
      answer: f.lightOn ? 'yes' : 'no',
      facts: { lightOn: f.lightOn },
    });
  return options.length === 0 ? null : pick(rng, options);
}

const BUILDERS: Record<GeneralKind, (f: SceneFacts, rng: Rng) => QuestionAnswer | null> = {
  caption,
  identify,
  color,
  count,
  relation,
  grounding,
  state,
};

/**
 * Up to `n` questions of distinct kinds about one scene, kinds drawn by their weights among those that
 * apply (a scene without a cabinet or button has no `state` question, one without distinct boxes no `identify`).
 */
export function generalQuestions(facts: SceneFacts, rng: Rng, n: number): QuestionAnswer[] {
  const out: QuestionAnswer[] = [];
  const remaining = new Map<GeneralKind, number>(Object.entries(GENERAL_KINDS) as [GeneralKind, number][]);
  while (out.length < n && remaining.size > 0) {
    const total = [...remaining.values()].reduce((a, b) => a + b, 0);
    let r = rng() * total;
    let kind = [...remaining.keys()].at(-1)!;
    for (const [k, w] of remaining) {
      r -= w;
      if (r < 0) {
        kind = k;
        break;
      }
    }
    remaining.delete(kind);
    const qa = BUILDERS[kind](facts, rng);
    if (qa) out.push(qa);
  }
  return out;
}
