import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'onnx-train', include: ['test/**/*.test.ts', 'src/**/*.test.ts'] },
});
