import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `dspex` and `dspex/<subpath>` resolve to the TypeScript entry files (as tsconfig `paths` and
// bin/source-hooks.js do), so examples and programs modules importing 'dspex' run on the sources.
const alias = [
  { find: /^dspex$/, replacement: fileURLToPath(new URL('./entry/index.ts', import.meta.url)) },
  {
    find: /^dspex\/([a-z-]+)$/,
    replacement: fileURLToPath(new URL('./entry/$1.ts', import.meta.url)),
  },
];

// Two projects: `unit` needs nothing running; `integration` spawns real processes
// (redis-server on a free port, escript for the OTP oracle, node daemons).
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'node_modules/**'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/redis-global.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
