#!/usr/bin/env node
// The `dspex` binary.
// - In a clone (the TypeScript sources are next to this file) it always runs the sources through
//   tsx, never dist/, which may be older than them; `import … from 'dspex'` in a programs module
//   resolves to the same sources (bin/source-hooks.js), so the programs and the runtime share one
//   copy of dspex.
// - In an installed package (no sources) it runs the compiled CLI in dist/. tsx is registered in
//   front of it too, because a user's programs module or config may be TypeScript.
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';

const sources = new URL('../supervisors/cli-main.ts', import.meta.url);
const compiled = new URL('../dist/supervisors/cli-main.js', import.meta.url);

async function registerTsx() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch {
    return false;
  }
}

if (existsSync(sources)) {
  if (!(await registerTsx())) {
    console.error('dspex: tsx is not installed; run `npm install` in this clone first');
    process.exit(1);
  }
  registerHooks('./esm-hooks.js', import.meta.url);
  registerHooks('./source-hooks.js', import.meta.url);
  await import(sources.href);
} else {
  if (await registerTsx()) registerHooks('./esm-hooks.js', import.meta.url);
  if (!existsSync(compiled)) {
    console.error(`dspex: the package is incomplete (${compiled.pathname} is missing)`);
    process.exit(1);
  }
  await import(compiled.href);
}
