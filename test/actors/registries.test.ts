import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { actorWorker, type Pid } from '../../src/kernel/index.js';
import { setup } from 'xstate';
import {
  SCHEMA_REGISTRY,
  VARIABLE_REGISTRY,
  type ConfigVersion,
  type ValidationResult,
} from '../../actors/index.js';
import { ActorError, callActor } from '../../services/index.js';
import { startHarness, type Harness } from './actor-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.sup.stop();
});

/** A subscriber that keeps every event it is sent. */
const recorder = setup({ types: { context: {} as { seen: unknown[] } } }).createMachine({
  context: { seen: [] },
  on: { '*': { actions: ({ context, event }) => void context.seen.push(event) } },
});

describe('schema registry', () => {
  it('validates_dspex_run_job_data_and_names_each_issue', async () => {
    h = await startHarness({}, undefined);
    const ok = await callActor<ValidationResult>(h.kernel, SCHEMA_REGISTRY, {
      type: 'validate',
      name: 'dspex-run',
      data: { program: 'qa', inputs: { q: 1 }, extra: true },
    });
    expect(ok).toEqual({ valid: true, data: { program: 'qa', inputs: { q: 1 } } });
    const bad = await callActor<ValidationResult>(h.kernel, SCHEMA_REGISTRY, {
      type: 'validate',
      name: 'dspex-run',
      data: { program: '', inputs: [], version: 3 },
    });
    expect(bad.valid).toBe(false);
    if (!bad.valid) expect(bad.issues.map((i) => i.path)).toEqual(['program', 'inputs', 'version']);
  });

  it('answers_a_bad_message_with_bad_message_and_keeps_serving', async () => {
    h = await startHarness({}, undefined);
    await expect(callActor(h.kernel, SCHEMA_REGISTRY, { type: 'validate' })).rejects.toMatchObject({
      code: 'bad_message',
    });
    await expect(
      callActor(h.kernel, SCHEMA_REGISTRY, { type: 'frobnicate' }),
    ).rejects.toBeInstanceOf(ActorError);
    await expect(
      callActor(h.kernel, SCHEMA_REGISTRY, {
        type: 'registerSignature',
        name: 's',
        version: '1',
        signature: 'no arrow here',
      }),
    ).rejects.toMatchObject({ code: 'bad_message' });
    await expect(
      callActor(h.kernel, SCHEMA_REGISTRY, { type: 'validate', name: 'ghost', data: {} }),
    ).rejects.toMatchObject({
      code: 'unknown_schema',
    });
    const pid = h.kernel.whereis(SCHEMA_REGISTRY);
    await callActor(h.kernel, SCHEMA_REGISTRY, { type: 'list' });
    expect(h.kernel.whereis(SCHEMA_REGISTRY)).toBe(pid);
  });

  it('serves_registered_schema_versions_with_the_latest_by_default', async () => {
    h = await startHarness({}, undefined);
    for (const [version, schema] of [
      ['1', z.object({ a: z.string() })],
      ['2', z.object({ a: z.number() })],
    ] as const)
      await callActor(h.kernel, SCHEMA_REGISTRY, {
        type: 'register',
        name: 'payload',
        version,
        schema,
      });
    const latest = await callActor<ValidationResult>(h.kernel, SCHEMA_REGISTRY, {
      type: 'validate',
      name: 'payload',
      data: { a: 1 },
    });
    const v1 = await callActor<ValidationResult>(h.kernel, SCHEMA_REGISTRY, {
      type: 'validate',
      name: 'payload',
      version: '1',
      data: { a: 1 },
    });
    expect([latest.valid, v1.valid]).toEqual([true, false]);
  });
});

describe('variable registry', () => {
  it('versions_each_change_merging_fields_and_notifies_subscribers', async () => {
    h = await startHarness({}, undefined);
    const r = await h.kernel.spawn(actorWorker(recorder));
    if (!(r instanceof Object) || !('proc' in r)) throw new Error('spawn failed');
    const pid = r;
    await callActor(h.kernel, VARIABLE_REGISTRY, { type: 'subscribe', pid, program: 'qa' });
    await callActor(h.kernel, VARIABLE_REGISTRY, {
      type: 'set',
      program: 'qa',
      config: { temperature: 0.1 },
    });
    await callActor(h.kernel, VARIABLE_REGISTRY, {
      type: 'set',
      program: 'other',
      config: { model: 'x' },
    });
    const v2 = await callActor<ConfigVersion>(h.kernel, VARIABLE_REGISTRY, {
      type: 'set',
      program: 'qa',
      config: { instructions: 'Be brief.' },
    });
    expect(v2).toMatchObject({
      revision: 2,
      config: { temperature: 0.1, instructions: 'Be brief.' },
    });
    const seen = (
      pid.proc as unknown as { actor: { getSnapshot(): { context: { seen: unknown[] } } } }
    ).actor.getSnapshot().context.seen;
    expect(seen).toEqual([
      expect.objectContaining({ type: 'config.changed', program: 'qa', revision: 1 }),
      expect.objectContaining({ type: 'config.changed', program: 'qa', revision: 2 }),
    ]);
    const history = await callActor<ConfigVersion[]>(h.kernel, VARIABLE_REGISTRY, {
      type: 'history',
      program: 'qa',
    });
    expect(history.map((v) => v.revision)).toEqual([1, 2]);
  });

  it('rejects_an_invalid_configuration_with_bad_message', async () => {
    h = await startHarness({}, undefined);
    await expect(
      callActor(h.kernel, VARIABLE_REGISTRY, {
        type: 'set',
        program: 'qa',
        config: { temperature: 9, colour: 'red' },
      }),
    ).rejects.toMatchObject({ code: 'bad_message' });
    expect(
      (await callActor<ConfigVersion>(h.kernel, VARIABLE_REGISTRY, { type: 'get', program: 'qa' }))
        .revision,
    ).toBe(0);
  });

  it('keeps_its_versions_and_drops_dead_subscribers_across_a_restart', async () => {
    h = await startHarness({}, undefined);
    const sub = await h.kernel.spawn(actorWorker(recorder));
    if (typeof sub !== 'object' || !('proc' in sub)) throw new Error('spawn failed');
    await callActor(h.kernel, VARIABLE_REGISTRY, { type: 'subscribe', pid: sub });
    await callActor(h.kernel, VARIABLE_REGISTRY, {
      type: 'set',
      program: 'qa',
      config: { temperature: 0.5 },
    });
    const before = h.kernel.whereis(VARIABLE_REGISTRY);
    before?.proc.signalExit('kill');
    sub.proc.signalExit('kill');
    await new Promise((r) => setImmediate(r));
    const after = h.kernel.whereis(VARIABLE_REGISTRY);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(
      await callActor<ConfigVersion>(h.kernel, VARIABLE_REGISTRY, { type: 'get', program: 'qa' }),
    ).toMatchObject({
      revision: 1,
      config: { temperature: 0.5 },
    });
    expect(h.variables.subscribers.size).toBe(0);
  });
});

function seenBy(pid: Pid): { type: string; revision: number }[] {
  return (
    pid.proc as unknown as {
      actor: { getSnapshot(): { context: { seen: { type: string; revision: number }[] } } };
    }
  ).actor.getSnapshot().context.seen;
}

const version = (revision: number, temperature: number): ConfigVersion => ({
  program: 'qa',
  revision,
  config: { temperature },
  updatedAt: 0,
});

describe('variable registry: versions stored elsewhere (apply)', () => {
  it('installs_a_newer_version_once_and_ignores_stale_or_repeated_ones', async () => {
    h = await startHarness({}, undefined);
    const pid = (await h.kernel.spawn(actorWorker(recorder))) as Pid;
    // The recorder machine's context array is shared by its instances: count from here.
    const earlier = seenBy(pid).length;
    await callActor(h.kernel, VARIABLE_REGISTRY, { type: 'subscribe', pid, program: 'qa' });
    const apply = (v: ConfigVersion): Promise<ConfigVersion> =>
      callActor<ConfigVersion>(h.kernel, VARIABLE_REGISTRY, { type: 'apply', version: v });
    expect(await apply(version(3, 0.3))).toMatchObject({ revision: 3 });
    // An announcement that arrives late, or twice, changes nothing.
    expect(await apply(version(2, 0.2))).toMatchObject({
      revision: 3,
      config: { temperature: 0.3 },
    });
    expect(await apply(version(3, 0.9))).toMatchObject({
      revision: 3,
      config: { temperature: 0.3 },
    });
    await apply(version(4, 0.4));
    const current = await callActor<ConfigVersion>(h.kernel, VARIABLE_REGISTRY, {
      type: 'get',
      program: 'qa',
    });
    expect(current).toMatchObject({ revision: 4, config: { temperature: 0.4 } });
    expect(
      seenBy(pid)
        .slice(earlier)
        .map((e) => e.revision),
    ).toEqual([3, 4]);
  });

  it('refuses_an_apply_whose_configuration_is_invalid', async () => {
    h = await startHarness({}, undefined);
    await expect(
      callActor(h.kernel, VARIABLE_REGISTRY, {
        type: 'apply',
        version: { program: 'qa', revision: 1, config: { temperature: 9 }, updatedAt: 0 },
      }),
    ).rejects.toMatchObject({ code: 'bad_message' });
  });
});
