import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'example-flow-policy-bench', include: ['test/**/*.test.ts'], testTimeout: 120_000 },
});
