import { describe, expect, it } from 'vitest';
import type { ChildSpec, Term } from '../../src/kernel/index.js';
import { checkChildSpec, checkFlags, formatTerm } from '../../src/kernel/index.js';
import { testKernel, worker } from './helpers.js';

const fmt = (r: { ok: true } | { ok: false; error: Term }): string =>
  r.ok ? 'ok' : formatTerm(r.error);

describe('child spec validation (before anything starts), reasons name the value', () => {
  const base = worker('a');
  it.each<[string, Partial<ChildSpec>, string, 'never' | 'any_significant']>([
    ['bad shutdown', { shutdown: -1 }, '{invalid_shutdown,-1}', 'never'],
    ['bad restart', { restart: 'sometimes' as never }, '{invalid_restart_type,sometimes}', 'never'],
    ['bad type', { type: 'manager' as never }, '{invalid_child_type,manager}', 'never'],
    [
      'significant under never',
      { significant: true, restart: 'transient' },
      '{bad_combination,[{auto_shutdown,never},{significant,true}]}',
      'never',
    ],
    [
      'significant + permanent',
      { significant: true },
      '{bad_combination,[{restart,permanent},{significant,true}]}',
      'any_significant',
    ],
    ['missing id', { id: '' }, 'missing_id', 'never'],
  ])('%s → %s', (_name, patch, reason, auto) => {
    expect(fmt(checkChildSpec({ ...base, ...patch }, auto))).toBe(reason);
  });

  it('defaults: permanent worker, shutdown 5000; supervisors default to infinity', () => {
    const w = checkChildSpec(base, 'never');
    expect(w.ok && [w.value.restart, w.value.shutdown, w.value.type, w.value.significant]).toEqual([
      'permanent',
      5000,
      'worker',
      false,
    ]);
    const s = checkChildSpec({ ...base, type: 'supervisor' }, 'never');
    expect(s.ok && s.value.shutdown).toBe('infinity');
  });

  it.each<[string, object, string]>([
    ['strategy', { strategy: 'all_for_none' }, '{invalid_strategy,all_for_none}'],
    ['intensity', { intensity: -1 }, '{invalid_intensity,-1}'],
    ['period', { period: 0 }, '{invalid_period,0}'],
    ['auto_shutdown', { autoShutdown: 'sometimes' }, '{invalid_auto_shutdown,sometimes}'],
  ])('flags: bad %s → %s', (_n, flags, reason) => {
    expect(fmt(checkFlags(flags))).toBe(reason);
  });

  it('flags defaults: one_for_one, 1 restart in 5 s, never', () => {
    const f = checkFlags({});
    expect(
      f.ok && [f.value.strategy, f.value.intensity, f.value.period, f.value.autoShutdown],
    ).toEqual(['one_for_one', 1, 5, 'never']);
  });
});

describe('startSupervisor rejects invalid start specs with OTP reasons', () => {
  it.each<[string, object, ChildSpec[], string]>([
    ['duplicate id', {}, [worker('a'), worker('a')], '{start_spec,{duplicate_child_name,a}}'],
    [
      's1o1 with two specs',
      { strategy: 'simple_one_for_one' },
      [worker('a'), worker('b')],
      '{bad_start_spec,[a,b]}',
    ],
    ['bad flags', { intensity: -2 }, [worker('a')], '{supervisor_data,{invalid_intensity,-2}}'],
    [
      'bad child',
      {},
      [worker('a', { shutdown: 'later' as never })],
      '{start_spec,{invalid_shutdown,later}}',
    ],
  ])('%s → %s', async (_n, flags, specs, reason) => {
    const k = testKernel();
    const r = await k.kernel.startSupervisor(flags, specs);
    expect(fmt(r)).toBe(reason);
    expect(k.starts('a')).toBe(0);
  });

  it('start failure at init: {shutdown,{failed_to_start_child,Id,Reason}}, earlier children stopped', async () => {
    const k = testKernel();
    const r = await k.kernel.startSupervisor({}, [
      worker('a'),
      { id: 'b', start: () => ({ error: 'nope' }) },
      worker('c'),
    ]);
    expect(fmt(r)).toBe('{shutdown,{failed_to_start_child,b,nope}}');
    expect(k.starts('c')).toBe(0);
    expect(k.events.some((e) => e.type === 'process_exited' && e.reason === 'shutdown')).toBe(true);
  });
});

describe('throwing forms (parse)', () => {
  it('parseChildSpec throws a KernelError invalid_child_spec naming the value', async () => {
    const { parseChildSpec, parseFlags, KernelError } = await import('../../src/kernel/index.js');
    expect(() => parseChildSpec({ ...worker('a'), shutdown: -5 })).toThrow(KernelError);
    expect(() => parseChildSpec({ ...worker('a'), shutdown: -5 })).toThrow('{invalid_shutdown,-5}');
    expect(() => parseFlags({ period: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid_flags' }),
    );
    expect(parseFlags({}).intensity).toBe(1);
  });
});
