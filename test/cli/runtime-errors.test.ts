import { describe, expect, it } from 'vitest';
import { toCliError } from '../../src/cli/runtime-errors.js';

function failure(code: string, details: Record<string, unknown>): Error {
  return Object.assign(new Error(`program 'qa' failed: ${code}`), { code, details });
}

describe('toCliError: runtime failures to exit codes', () => {
  it('an execution that failed on a missing input field is a usage error (exit 2)', () => {
    const e = toCliError(failure('execution_failed', { cause: 'missing_inputs' }));
    expect(e.code).toBe('usage');
    expect(e.exitCode).toBe(2);
  });

  it('an execution that failed inside the program or its LM stays a plain failure (exit 1)', () => {
    const e = toCliError(failure('execution_failed', { cause: 'server' }));
    expect(e.code).toBe('failed');
    expect(e.exitCode).toBe(1);
  });

  it('an unknown program keeps its own exit code and a bad message is a usage error', () => {
    expect(toCliError(failure('unknown_program', {})).exitCode).toBe(4);
    expect(toCliError(failure('bad_message', {})).exitCode).toBe(2);
  });
});
