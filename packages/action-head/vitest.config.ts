import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'action-head', include: ['test/**/*.test.ts', 'src/**/*.test.ts'] },
});
