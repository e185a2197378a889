import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'example-grpo-tiny-lm', include: ['test/**/*.test.ts'] },
});
