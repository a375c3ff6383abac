import { describe, expect, it } from 'vitest';
import { createSchemaTable, validatePayload } from '../../actors/index.js';
import { ActorError, effectiveConfig } from '../../services/index.js';
import {
  OPTIMIZER_NAMES,
  RUN_JOB_SCHEMA,
  mergeDeployedConfig,
  optimizationJobSchema,
  runJobProblem,
  runJobSchema,
} from '../../src/contracts/index.js';

function nodeConfigError(config: Record<string, unknown>): string {
  try {
    effectiveConfig({}, { program: 'qa', inputs: {}, config } as never);
  } catch (e) {
    if (e instanceof ActorError) return e.message;
    throw e;
  }
  throw new Error('the node accepted the config');
}

describe('job payload contracts', () => {
  it('a producer gets the same reason for bad run data as the node that validates it', () => {
    for (const bad of [
      { program: '', inputs: {} },
      { program: 'qa', inputs: 'what?' },
      { inputs: {} },
      null,
    ]) {
      const node = validatePayload(createSchemaTable(), RUN_JOB_SCHEMA, bad);
      expect(node.valid).toBe(false);
      if (node.valid) continue;
      expect(runJobProblem(bad)).toEqual({
        reason: `invalid job data: ${node.reason}`,
        issues: node.issues,
      });
    }
  });

  it('a producer gets the node execution error for config overrides of the wrong shape', () => {
    for (const config of [{ temperature: 5 }, { model: 'm', colour: 'red' }, { maxTokens: 1.5 }]) {
      const problem = runJobProblem({ program: 'qa', inputs: {}, config });
      expect(problem?.reason).toBe(nodeConfigError(config));
    }
  });

  it('valid run data passes, and the node schema keeps producers metadata out', () => {
    const data = { program: 'qa', inputs: { q: 1 }, config: { temperature: 0.2 }, trace: 'x' };
    expect(runJobProblem(data)).toBeUndefined();
    expect(runJobSchema.parse(data)).toEqual({
      program: 'qa',
      inputs: { q: 1 },
      config: { temperature: 0.2 },
    });
  });

  it('an optimization job names an optimizer: every built-in, or a name the registry resolves on the node', () => {
    const job = { runId: 'r1', program: 'qa', trainset: [] };
    for (const optimizer of OPTIMIZER_NAMES)
      expect(optimizationJobSchema.safeParse({ ...job, optimizer }).success).toBe(true);
    // Extensions register optimizers by name, so the payload takes any non-empty name; the node's
    // registry refuses an unknown one (test/extensions/registry.test.ts).
    expect(optimizationJobSchema.safeParse({ ...job, optimizer: 'my-optimizer' }).success).toBe(
      true,
    );
    expect(optimizationJobSchema.safeParse({ ...job, optimizer: '' }).success).toBe(false);
  });
});

describe('mergeDeployedConfig', () => {
  it('other_variables_drop_the_previous_candidate_values_and_other_changes_keep_them', () => {
    const prev = {
      stateVersion: '3',
      variables: { instructions: 3 },
      candidates: { instructions: 'Answer in three words.' },
    };
    expect(mergeDeployedConfig(prev, { variables: { instructions: 1 } })).toEqual({
      stateVersion: '3',
      variables: { instructions: 1 },
    });
    expect(mergeDeployedConfig(prev, { stateVersion: '4' })).toEqual({
      ...prev,
      stateVersion: '4',
    });
  });
});
