// Which licences the default production install of the publishable packages may carry (pure: no I/O).
// scripts/check-licences.mjs applies these rules; tests/licence-rules.test.ts tests them.
//
// The project is Apache-2.0. Allowed: permissive licences, and MPL-2.0 (file-level copyleft that covers only
// the MPL files themselves). Refused: GPL and AGPL in any version, LGPL unless an expression offers a
// permissive alternative (`MIT OR LGPL-3.0` passes), and anything unrecognised (no licence, `UNLICENSED`,
// `SEE LICENSE IN …`, a licence not listed here): those need a person to read them, and then an entry in
// REVIEWED below.

/** SPDX identifiers accepted as they are. */
export const PERMISSIVE = new Set([
  '0BSD',
  'Apache-2.0',
  'BlueOak-1.0.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'BSL-1.0',
  'CC-BY-3.0',
  'CC-BY-4.0',
  'CC0-1.0',
  'ISC',
  'MIT',
  'MIT-0',
  'MPL-2.0',
  'Python-2.0',
  'Unicode-3.0',
  'Unicode-DFS-2016',
  'Unlicense',
  'WTFPL',
  'Zlib',
]);

/** GPL, AGPL and LGPL in any version and spelling (`GPL-2.0-or-later`, `GPL-3.0+`, `LGPL-2.1-only`, `GPLv3`). */
const COPYLEFT = /^(A|L)?GPL(v?\d.*|-\d.*)?$/i;

/**
 * Packages whose effective licence differs from what they declare: the package says MIT, but its native
 * binary links FFmpeg with libx264 (GPL-2.0-or-later). Counting it as GPL keeps MP4 encoding out of the
 * default install (it is an optional peer dependency of @roboalign/datasets).
 */
export const EFFECTIVE = [
  {
    name: /^@napi-rs\/webcodecs(-.+)?$/,
    licence: 'GPL-2.0-or-later',
    why: 'its binary links FFmpeg with libx264',
  },
];

/**
 * Reviewed exceptions: allowed although the rules above refuse them. Each matches a name and the exact licence
 * string reported (a version too where the licence is unknown), so a change of either is reviewed again.
 */
export const REVIEWED = [
  {
    name: /^@img\/sharp-libvips-[a-z0-9-]+$/,
    licence: 'LGPL-3.0-or-later',
    why:
      "sharp's prebuilt libvips: an unmodified shared library in a package of its own, loaded at run time " +
      "and replaceable by the user, which the LGPL's terms allow an Apache-2.0 project to depend on " +
      '(see docs/dependencies.md)',
  },
  {
    name: 'dejavu-fonts-ttf',
    version: '2.37.3',
    licence: 'Unknown',
    why:
      'declares "SEE LICENSE IN README.md AND LICENSE": the Bitstream Vera and Arev font licences ' +
      '(permissive) with DejaVu changes in the public domain',
  },
];

/**
 * An SPDX expression as the alternatives a user may choose from (OR), each the licences that all apply (AND):
 * `(MIT OR Apache-2.0) AND BSD-3-Clause` → [[MIT, BSD-3-Clause], [Apache-2.0, BSD-3-Clause]]. `WITH` keeps an
 * exception attached to its licence. Text that is not a well-formed expression is one licence as it stands.
 */
export function alternatives(expression) {
  const text = String(expression ?? '').trim();
  if (text === '') return [[]];
  const tokens = text.match(/\(|\)|[^\s()]+/g);
  let at = 0;
  const peek = () => tokens[at]?.toUpperCase();
  const atom = () => {
    if (tokens[at] === '(') {
      at++;
      const inner = or();
      if (tokens[at++] !== ')') throw new Error('unbalanced');
      return inner;
    }
    const id = tokens[at++];
    if (id === undefined || id === ')' || ['AND', 'OR', 'WITH'].includes(id.toUpperCase()))
      throw new Error('malformed');
    if (peek() === 'WITH') {
      const exception = tokens[at + 1];
      if (exception === undefined || exception === '(' || exception === ')') throw new Error('malformed');
      at += 2;
      return [[`${id} WITH ${exception}`]];
    }
    return [[id]];
  };
  const and = () => {
    let result = atom();
    while (peek() === 'AND') {
      at++;
      const next = atom();
      result = result.flatMap((a) => next.map((b) => [...a, ...b]));
    }
    return result;
  };
  const or = () => {
    const result = and();
    while (peek() === 'OR') {
      at++;
      result.push(...and());
    }
    return result;
  };
  try {
    const result = or();
    if (at !== tokens.length) throw new Error('trailing text');
    return result;
  } catch {
    return [[text]];
  }
}

/** `permissive`, `copyleft` or `unknown` for one licence identifier (possibly `X WITH exception`). */
export function classifyId(id) {
  const base = String(id)
    .split(/\s+WITH\s+/i)[0]
    .trim();
  if (PERMISSIVE.has(base)) return 'permissive';
  if (COPYLEFT.test(base)) return 'copyleft';
  return 'unknown';
}

const RANK = { permissive: 0, unknown: 1, copyleft: 2 };

/**
 * Classifies an SPDX expression: `permissive` when some alternative is permissive throughout, else the
 * mildest problem among the alternatives (`unknown` before `copyleft`). Empty or missing: `unknown`.
 */
export function classifyLicence(expression) {
  let best = 'copyleft';
  for (const alternative of alternatives(expression)) {
    if (alternative.length === 0) return 'unknown';
    const worst = alternative.map(classifyId).reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'permissive');
    if (RANK[worst] < RANK[best]) best = worst;
  }
  return best;
}

function matches(pattern, name) {
  return typeof pattern === 'string' ? pattern === name : pattern.test(name);
}

/**
 * The verdict on one installed package: `{ ok, licence, declared, class, reason }`. `licence` is the
 * effective licence (see EFFECTIVE), `declared` what the package says.
 */
export function judgePackage({ name, version, license }) {
  const declared = String(license ?? 'Unknown');
  const effective = EFFECTIVE.find((e) => matches(e.name, name));
  const licence = effective ? effective.licence : declared;
  const kind = classifyLicence(licence);
  if (kind === 'permissive') return { ok: true, licence, declared, class: kind, reason: undefined };
  const reviewed = REVIEWED.find(
    (r) =>
      matches(r.name, name) && r.licence === licence && (r.version === undefined || r.version === version),
  );
  if (reviewed) return { ok: true, licence, declared, class: kind, reason: `reviewed: ${reviewed.why}` };
  const reason =
    effective !== undefined
      ? `declares ${declared}, but ${effective.why} (${effective.licence})`
      : kind === 'copyleft'
        ? 'GPL, AGPL or LGPL without a permissive alternative'
        : 'unknown licence: read it, then allow it in scripts/licence-rules.mjs (REVIEWED) or drop the package';
  return { ok: false, licence, declared, class: kind, reason };
}

/**
 * Flattens `pnpm licenses list --json` output ({ licence: [{ name, versions, license, … }] }) into one entry
 * per package and version.
 */
export function packagesFromPnpm(json) {
  const out = [];
  for (const [group, entries] of Object.entries(json ?? {})) {
    for (const entry of entries) {
      for (const version of entry.versions ?? [entry.version]) {
        out.push({ name: entry.name, version, license: entry.license ?? group });
      }
    }
  }
  return out.sort((a, b) =>
    a.name === b.name ? String(a.version).localeCompare(b.version) : a.name < b.name ? -1 : 1,
  );
}
