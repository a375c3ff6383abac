import {
  actorWorker,
  createKernel,
  type Kernel,
  type SupervisorProcess,
} from '../../src/kernel/index.js';
import type { LM } from '../../src/lm/types.js';
import type { Module } from '../../src/modules/index.js';
import { MemoryStore } from '../../src/store/index.js';
import {
  CLIENT_POOL,
  ClientPool,
  SCHEMA_REGISTRY,
  VARIABLE_REGISTRY,
  clientPoolMachine,
  createSchemaTable,
  createVariableTable,
  schemaRegistryMachine,
  variableRegistryMachine,
  type ClientPoolOptions,
  type VariableTable,
} from '../../actors/index.js';
import { ProgramCatalog, type ExecutionServices } from '../../services/index.js';

/** A kernel running the registries and the client pool under one one_for_one supervisor. */
export interface Harness {
  kernel: Kernel;
  sup: SupervisorProcess;
  store: MemoryStore;
  pool: ClientPool;
  variables: VariableTable;
  services: ExecutionServices;
}

export async function startHarness(
  programs: Record<string, Module>,
  lm: LM | undefined,
  poolOptions: ClientPoolOptions = {},
): Promise<Harness> {
  const kernel = createKernel();
  const store = new MemoryStore();
  const pool = new ClientPool(poolOptions);
  const variables = createVariableTable();
  const r = await kernel.startSupervisor({ strategy: 'one_for_one', intensity: 5, period: 5 }, [
    {
      id: SCHEMA_REGISTRY,
      name: SCHEMA_REGISTRY,
      start: actorWorker(schemaRegistryMachine, { input: { table: createSchemaTable() } }),
    },
    {
      id: VARIABLE_REGISTRY,
      name: VARIABLE_REGISTRY,
      start: actorWorker(variableRegistryMachine, {
        input: (ctx) => ({ kernel: ctx.kernel, table: variables }),
      }),
    },
    {
      id: CLIENT_POOL,
      name: CLIENT_POOL,
      start: actorWorker(clientPoolMachine, { input: { pool } }),
    },
  ]);
  if (!r.ok) throw new Error('harness failed to start');
  const services: ExecutionServices = {
    kernel,
    store,
    catalog: new ProgramCatalog(programs),
    nodeId: 'test-node',
    ...(lm === undefined ? {} : { defaultLm: () => lm }),
  };
  return { kernel, sup: r.sup, store, pool, variables, services };
}
