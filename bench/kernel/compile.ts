import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** A compiled copy of the benchmark: its entry point and the directory to remove afterwards. */
export interface CompiledBench {
  readonly entry: string;
  readonly dir: string;
}

/** Relative `.ts` sources `file` imports (specifiers end in `.js`, as nodenext requires). */
function localImports(file: string, source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('./') || spec.startsWith('../'))
    .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
    .filter((path) => existsSync(path));
}

/**
 * Transpiles `entry` and every relative module it reaches (TypeScript's transpileModule: types
 * erased, no type check, no bundling) into a temporary directory laid out like the repository,
 * with `node_modules` linked to the repository's. The benchmark then runs on plain JavaScript as
 * `tsc` would ship it: tsx's esbuild transform wraps every function and class in a `__name()`
 * call (keepNames), which costs time and memory on each closure the kernel creates.
 */
export function compileBench(entry: string, root: string): CompiledBench {
  const dir = mkdtempSync(join(tmpdir(), 'dspex-bench-kernel-'));
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        verbatimModuleSyntax: true,
        sourceMap: false,
      },
    });
    const target = join(dir, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
    queue.push(...localImports(file, source));
  }
  // Non-TypeScript companions next to the entry (the escript).
  const entryDir = dirname(resolve(entry));
  for (const name of readdirSync(entryDir).filter((n) => n.endsWith('.escript')))
    copyFileSync(join(entryDir, name), join(dir, relative(root, entryDir), name));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { entry: join(dir, relative(root, resolve(entry))).replace(/\.ts$/, '.js'), dir };
}
