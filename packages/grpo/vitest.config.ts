import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'grpo', include: ['test/**/*.test.ts', 'src/**/*.test.ts'] },
});
