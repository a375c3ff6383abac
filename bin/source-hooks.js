// Module resolution hook registered by bin/dspex.js when it runs from a clone: `dspex` and
// `dspex/<subpath>` resolve to the TypeScript entry files (entry/*.ts) instead of the package's
// `exports` (dist/), so a programs module that imports 'dspex' runs on the same sources as the CLI.
import { existsSync } from 'node:fs';

const ENTRY = new URL('../entry/', import.meta.url);

/** Node's `resolve` hook (module.register): rewrites `dspex` and `dspex/*` to entry/*.ts. */
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'dspex' || specifier.startsWith('dspex/')) {
    const name = specifier === 'dspex' ? 'index' : specifier.slice('dspex/'.length);
    const file = new URL(`${name}.ts`, ENTRY);
    if (/^[a-z-]+$/.test(name) && existsSync(file)) return nextResolve(file.href, context);
  }
  return nextResolve(specifier, context);
}
