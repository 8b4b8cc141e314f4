import { defineConfig } from 'vitest/config';

// The built extension in a real Chromium. Files run one at a time: each launches a browser,
// and two cores cannot run two browsers with fake microphones and keep timings honest.
export default defineConfig({
  test: {
    name: 'e2e',
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
