import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { MemoryTransport } from '../../src/transport/index.js';
import { ClientPool, createSchemaTable, createVariableTable } from '../../actors/index.js';
import { ProgramCatalog } from '../../services/index.js';
import { createKernel } from '../../src/kernel/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { runtimeTree } from '../../supervisors/tree.js';

let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.stop();
  rt = undefined;
});

function spec() {
  const handler = async () => null;
  return runtimeTree({
    services: {
      kernel: createKernel(),
      store: new MemoryStore(),
      catalog: new ProgramCatalog({}),
      nodeId: 'n',
      metrics: new Map(),
    },
    schemaTable: createSchemaTable(),
    variables: { table: createVariableTable() },
    pool: new ClientPool(),
    transport: new MemoryTransport(),
    queues: { run: 'dspex-run', eval: 'dspex-eval', optimize: 'dspex-optimize' },
    concurrency: 3,
    drainTimeoutMs: 500,
    handlers: { run: handler, eval: handler, optimize: handler },
  });
}

describe('runtime tree spec', () => {
  it('declares_rest_for_one_root_with_children_in_dependency_order', () => {
    const tree = spec();
    expect(tree.flags).toMatchObject({ strategy: 'rest_for_one' });
    expect(tree.children.map((c) => [c.id, c.type ?? 'worker'])).toEqual([
      ['registries', 'supervisor'],
      ['client-pool', 'worker'],
      ['program-workers', 'supervisor'],
      ['evaluation-workers', 'supervisor'],
      ['teleprompter-workers', 'supervisor'],
      ['bridges', 'supervisor'],
    ]);
    expect(tree.children.every((c) => c.name === c.id)).toBe(true);
  });

  it('starts_from_a_programs_module_path_with_its_named_metrics', async () => {
    const path = fileURLToPath(new URL('./programs-module.fixture.ts', import.meta.url));
    rt = await startRuntime({ programs: path }, { logger: silentLogger() });
    expect(rt.programs()).toEqual(['qa', 'summarize']);
    const devset = [{ question: 'no LM configured' }];
    // No LM anywhere: the example fails, is scored 0 and counted, the named metric resolves.
    await expect(rt.evaluate('qa', { devset, metric: 'hasAnswer' })).resolves.toMatchObject({
      total: 1,
      errors: 1,
      score: 0,
    });
    await expect(rt.evaluate('qa', { devset, metric: 'nope' })).rejects.toThrow(
      /unknown metric 'nope'/,
    );
    await expect(rt.evaluate('qa', { devset: [], metric: 'hasAnswer' })).rejects.toThrow(
      'the devset is empty',
    );
  });

  it('refuses_an_invalid_config_naming_the_offending_path', async () => {
    await expect(
      startRuntime({ programs: {}, queues: { concurrency: 0 } }, { logger: silentLogger() }),
    ).rejects.toThrow(/queues\.concurrency/);
  });
});
