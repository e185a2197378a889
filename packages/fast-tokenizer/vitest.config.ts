import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

// test/real-data.test.ts reads robot data through @roboalign/datasets, which depends on this package. Listing
// datasets here, even as a devDependency, would make a cycle in the workspace graph, which turbo refuses; so
// both names resolve to TypeScript source instead (tsconfig.json maps them the same way for tsc).
const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineProject({
  resolve: {
    alias: {
      '@roboalign/datasets': source('../datasets/src/index.ts'),
      '@roboalign/fast-tokenizer': source('./src/index.ts'),
    },
  },
  test: { name: 'fast-tokenizer', include: ['test/**/*.test.ts', 'src/**/*.test.ts'] },
});
