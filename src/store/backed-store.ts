import { DatasetTable } from './dataset-repository.js';
import { EvaluationTable } from './evaluation-repository.js';
import { ExecutionTable } from './execution-repository.js';
import { OptimizationRunTable } from './optimization-run-repository.js';
import { ProgramTable } from './program-repository.js';
import type { RecordBackend } from './record-backend.js';
import {
  DeploymentTable,
  VariableConfigurationTable,
  VariableSpaceTable,
} from './variable-repository.js';
import type {
  DatasetRepository,
  DeploymentRepository,
  EvaluationRepository,
  ExecutionRepository,
  OptimizationRunRepository,
  ProgramRepository,
  Store,
  VariableConfigurationRepository,
  VariableSpaceRepository,
} from './store.js';
import { resolveStoreOptions, type StoreOptions } from './store-options.js';

/**
 * A {@link Store} whose repositories share one {@link RecordBackend}: the lifecycle rules live in the
 * repositories, so every implementation enforces them identically.
 *
 * @internal
 */
export abstract class BackedStore implements Store {
  readonly programs: ProgramRepository;
  readonly executions: ExecutionRepository;
  readonly optimizationRuns: OptimizationRunRepository;
  readonly evaluations: EvaluationRepository;
  readonly datasets: DatasetRepository;
  readonly variableSpaces: VariableSpaceRepository;
  readonly variableConfigurations: VariableConfigurationRepository;
  readonly deployments: DeploymentRepository;

  protected constructor(
    private readonly backend: RecordBackend,
    options: StoreOptions,
  ) {
    const resolved = resolveStoreOptions(options);
    this.programs = new ProgramTable(backend, resolved);
    this.executions = new ExecutionTable(backend, resolved);
    this.optimizationRuns = new OptimizationRunTable(backend, resolved);
    this.evaluations = new EvaluationTable(backend, resolved);
    this.datasets = new DatasetTable(backend, resolved);
    this.variableSpaces = new VariableSpaceTable(backend, resolved);
    this.variableConfigurations = new VariableConfigurationTable(backend, resolved);
    this.deployments = new DeploymentTable(backend, resolved);
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
