import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Graph } from './graph.js';
import { type ExportOptions, toOnnx, toOnnxWithExternalData } from './onnx-export.js';

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Exports a graph to `path` (with parameters embedded by default, ready for any ONNX Runtime). With
 * `externalData`, weights go to `path + '.data'` beside it. Files are written atomically, the data first.
 */
export async function saveOnnx(
  path: string,
  graph: Graph,
  options: Omit<ExportOptions, 'parameters'> & {
    parameters?: ExportOptions['parameters'];
    externalData?: boolean;
  },
): Promise<void> {
  const full: ExportOptions = { ...options, parameters: options.parameters ?? 'initializers' };
  if (options.externalData) {
    const dataPath = `${path}.data`;
    const { model, data } = toOnnxWithExternalData(graph, { ...full, location: basename(dataPath) });
    await writeAtomic(dataPath, data);
    await writeAtomic(path, model);
  } else {
    await writeAtomic(path, toOnnx(graph, full));
  }
}
