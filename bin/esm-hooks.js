// Module load hook registered by bin/dspex.js: a user's TypeScript or JavaScript file written with
// `import`/`export` loads as an ES module even in a folder whose package.json has no
// "type": "module" (Node's CommonJS default). Left alone, tsx compiles such a file to CommonJS and
// its `import … from 'dspex'` becomes a require() of an ES module, which fails. Files under
// node_modules and files without ESM syntax (real CommonJS) keep their format.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ESM_SYNTAX =
  /^\s*(import\s*[\w{*'"]|export\s+(default|const|let|var|function|class|async|type|interface|\{|\*))/m;

/** True when the file at `url` is user code written as an ES module. */
function isUserEsm(url) {
  if (!url.startsWith('file:') || url.includes('/node_modules/')) return false;
  const path = fileURLToPath(url);
  if (!/\.(ts|tsx|js|jsx)$/.test(path)) return false;
  try {
    return ESM_SYNTAX.test(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
}

/** Node's `load` hook (module.register): CommonJS-scoped files with ESM syntax load as modules. */
export async function load(url, context, nextLoad) {
  if (context.format === 'commonjs' && isUserEsm(url))
    return nextLoad(url, { ...context, format: 'module' });
  return nextLoad(url, context);
}
