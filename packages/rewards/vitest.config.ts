import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'rewards', include: ['test/**/*.test.ts', 'src/**/*.test.ts'] },
});
