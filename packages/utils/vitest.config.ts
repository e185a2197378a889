import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'utils', include: ['test/**/*.test.ts', 'src/**/*.test.ts'] },
});
