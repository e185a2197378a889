import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'example-fast-demo', include: ['test/**/*.test.ts'] },
});
