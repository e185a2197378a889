import { basename } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { Graph } from './graph.js';
import { type ExportOptions, toOnnx, toOnnxWithExternalData } from './onnx-export.js';

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
    await writeFileAtomic(dataPath, data);
    await writeFileAtomic(path, model);
  } else {
    await writeFileAtomic(path, toOnnx(graph, full));
  }
}
