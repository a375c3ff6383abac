import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isDspexError } from '../../src/errors/index.js';
import { genServer, type Term } from '../../src/kernel/index.js';
import { startRoot, testKernel } from './helpers.js';

const call = z.discriminatedUnion('type', [
  z.object({ type: z.literal('get') }),
  z.object({ type: z.literal('add'), n: z.number() }),
  z.object({ type: z.literal('slow') }),
  z.object({ type: z.literal('later'), value: z.string() }),
  z.object({ type: z.literal('crash') }),
]);
const cast = z.object({ type: z.literal('inc') });

/** A counter: `get`, `add` (answers the new count), `slow` (never answered), `crash`, cast `inc`. */
function counter(log: { terminated: [Term, number][]; infos: string[] }) {
  return genServer({
    name: 'counter',
    messages: { call, cast },
    init: (start: number) => start,
    handleCall: (msg, n) => {
      switch (msg.type) {
        case 'get':
          return { reply: n };
        case 'add':
          return { reply: n + msg.n, state: n + msg.n };
        case 'slow':
          return { reply: new Promise(() => undefined) };
        case 'later':
          return { reply: Promise.resolve(`${msg.value}:${n}`) };
        case 'crash':
          throw new Error('counter broke');
      }
    },
    handleCast: (_msg, n) => n + 1,
    handleInfo: (event, n) => {
      log.infos.push(event.type);
      return n;
    },
    terminate: (reason, n) => void log.terminated.push([reason, n]),
  });
}

function start(restart: 'permanent' | 'temporary' = 'permanent') {
  const log = { terminated: [] as [Term, number][], infos: [] as string[] };
  const k = testKernel();
  const spec = counter(log).childSpec({ id: 'c', name: 'counter', input: 10, restart });
  return { k, log, spec };
}

describe('genServer', () => {
  it('answers calls from its state and takes casts fire and forget, in mailbox order', async () => {
    const { k, spec } = start();
    await startRoot(k, {}, [spec]);
    k.kernel.cast('counter', { type: 'inc' });
    expect(await k.kernel.call('counter', { type: 'add', n: 5 })).toBe(16);
    expect(await k.kernel.call('counter', { type: 'get' })).toBe(16);
    expect(await k.kernel.call('counter', { type: 'later', value: 'v' })).toBe('v:16');
  });

  it('rejects a call whose message its schema refuses with bad_message naming the issue, and keeps serving', async () => {
    const { k, spec } = start();
    await startRoot(k, {}, [spec]);
    const err = await k.kernel.call('counter', { type: 'add', n: 'five' }).catch((e: unknown) => e);
    expect(isDspexError(err, 'bad_message')).toBe(true);
    expect((err as Error).message).toBe(
      'counter: bad message "add": n: Invalid input: expected number, received string',
    );
    expect(await k.kernel.call('counter', { type: 'get' })).toBe(10);
    expect(k.starts('c')).toBe(1);
  });

  it('gives a cast its schema refuses to handleInfo instead of crashing', async () => {
    const { k, log, spec } = start();
    await startRoot(k, {}, [spec]);
    k.kernel.cast('counter', { type: 'inc', by: 'x' });
    k.kernel.cast('counter', { type: 'note' });
    expect(await k.kernel.call('counter', { type: 'get' })).toBe(11);
    expect(log.infos).toEqual(['note']);
  });

  it('a call past its timeout rejects with timeout; the server keeps running', async () => {
    const { k, spec } = start();
    await startRoot(k, {}, [spec]);
    const outcome = k.kernel
      .call('counter', { type: 'slow' }, { timeout: 100 })
      .catch((e: unknown) => e);
    await k.clock.advance(100);
    expect(isDspexError(await outcome, 'timeout')).toBe(true);
    expect(await k.kernel.call('counter', { type: 'get' })).toBe(10);
  });

  it('a crashing handler fails the call with callee_exit and its supervisor restarts it from init', async () => {
    const { k, spec } = start();
    await startRoot(k, { intensity: 3, period: 5 }, [spec]);
    await k.kernel.call('counter', { type: 'add', n: 1 });
    const err = await k.kernel.call('counter', { type: 'crash' }).catch((e: unknown) => e);
    expect(isDspexError(err, 'callee_exit')).toBe(true);
    expect(k.reports.map((r) => [r.errorContext, r.id])).toEqual([['child_terminated', 'c']]);
    expect(k.starts('c')).toBe(2);
    expect(await k.kernel.call('counter', { type: 'get' })).toBe(10);
  });

  it('runs terminate with the shutdown reason and its last state when the supervisor stops it', async () => {
    const { k, log, spec } = start();
    const sup = await startRoot(k, {}, [spec]);
    k.kernel.cast('counter', { type: 'inc' });
    await k.kernel.call('counter', { type: 'get' });
    await sup.stop();
    expect(log.terminated).toEqual([['shutdown', 11]]);
  });

  it('replies through a codec that turns errors into answers', async () => {
    const k = testKernel();
    const server = genServer({
      name: 'tagged',
      messages: { call: z.object({ type: z.literal('fail') }) },
      init: () => null,
      handleCall: () => {
        throw new RangeError('out of range');
      },
      replies: {
        ok: (value) => ({ ok: true, value }),
        error: (e) => ({ ok: false, message: (e as Error).message }),
      },
    });
    await startRoot(k, {}, [server.childSpec({ id: 't', name: 'tagged', input: undefined })]);
    expect(await k.kernel.call('tagged', { type: 'fail' })).toEqual({
      ok: false,
      message: 'out of range',
    });
    expect(await k.kernel.call('tagged', { type: 'nope' })).toMatchObject({ ok: false });
    expect(k.starts('t')).toBe(1);
  });
});
