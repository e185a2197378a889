import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { writeFileAtomic, writeJsonAtomic } from '@roboalign/utils';
import type { ChatRow, DatasetManifest, FastRow, ProducedRow, RlRow, RowLabel } from './types.js';

/** File names of dataset `name` inside the output folder. */
export function datasetFiles(name: string): {
  file: string;
  labels: string;
  manifest: string;
  imagesDir: string;
} {
  return {
    file: `${name}.jsonl`,
    labels: `${name}.labels.jsonl`,
    manifest: `${name}.manifest.json`,
    imagesDir: `images/${name}`,
  };
}

/** The manifest of an earlier complete run with this exact config, or null (then the dataset is regenerated). */
export async function completedDataset(
  out: string,
  name: string,
  config: Readonly<Record<string, unknown>>,
): Promise<DatasetManifest | null> {
  const path = join(out, datasetFiles(name).manifest);
  // Absent: not generated yet. Anything else (unreadable, truncated JSON) is reported, not regenerated over.
  if (!existsSync(path)) return null;
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as DatasetManifest;
  } catch (error) {
    throw new Error(
      `${path}: cannot read the dataset manifest (${(error as Error).message}); delete it to regenerate`,
      {
        cause: error,
      },
    );
  }
  // JSON round trip, so undefined fields and number formatting compare as they were written.
  return isDeepStrictEqual(manifest.config, JSON.parse(JSON.stringify(config))) ? manifest : null;
}

/** Removes what an earlier (possibly interrupted) run of dataset `name` wrote. */
export async function clearDataset(out: string, name: string, ownImages: boolean): Promise<void> {
  const files = datasetFiles(name);
  await rm(join(out, files.manifest), { force: true });
  if (ownImages) await rm(join(out, files.imagesDir), { recursive: true, force: true });
}

const jsonLines = (values: readonly unknown[]) => values.map((v) => `${JSON.stringify(v)}\n`).join('');

/**
 * Writes a dataset: its images (each path once), the labels, the rows, and last the manifest, each file
 * atomically, so a manifest on disk means a complete dataset.
 */
export async function writeDataset(
  out: string,
  manifest: Omit<DatasetManifest, 'file' | 'labels' | 'imagesDir' | 'count' | 'kinds'> & {
    imagesDir?: string;
  },
  rows: readonly ProducedRow[],
): Promise<DatasetManifest> {
  const files = datasetFiles(manifest.name);
  const written = new Set<string>();
  for (const { images } of rows)
    for (const image of images) {
      if (written.has(image.path)) continue;
      written.add(image.path);
      const path = join(out, image.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, image.png);
    }
  const kinds: Record<string, number> = {};
  for (const { label } of rows) kinds[label.kind] = (kinds[label.kind] ?? 0) + 1;
  const complete: DatasetManifest = {
    ...manifest,
    file: files.file,
    labels: files.labels,
    imagesDir: manifest.imagesDir ?? files.imagesDir,
    count: rows.length,
    kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b))),
  };
  await writeFileAtomic(join(out, files.labels), jsonLines(rows.map((r) => r.label)));
  await writeFileAtomic(join(out, files.file), jsonLines(rows.map((r) => r.row)));
  await writeJsonAtomic(join(out, files.manifest), complete);
  return complete;
}

/** Reads a JSON Lines file of the output folder. */
async function readJsonLines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** The rows and labels of a written dataset, line by line. */
export async function readDataset(
  out: string,
  manifest: DatasetManifest,
): Promise<{ rows: (ChatRow | FastRow | RlRow)[]; labels: RowLabel[] }> {
  const [rows, labels] = await Promise.all([
    readJsonLines<ChatRow | FastRow | RlRow>(join(out, manifest.file)),
    readJsonLines<RowLabel>(join(out, manifest.labels)),
  ]);
  if (rows.length !== labels.length)
    throw new Error(`${manifest.name}: ${rows.length} rows but ${labels.length} labels`);
  return { rows, labels };
}
