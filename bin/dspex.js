#!/usr/bin/env node
// The `dspex` binary. Runs the compiled CLI (dist/) when the package is built, else the TypeScript
// sources through tsx, so `npx dspex` works from a clone. tsx is registered in front of the build
// too when it is installed, because a user's programs module may be TypeScript.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/supervisors/cli-main.js', import.meta.url);
const built = existsSync(compiled);
try {
  const { register } = await import('tsx/esm/api');
  register();
} catch {
  if (!built) {
    console.error('dspex: no build in dist/ and tsx is not installed: run `npm run build` first');
    process.exit(1);
  }
}
await import(built ? compiled.href : new URL('../supervisors/cli-main.ts', import.meta.url).href);
