import { describe, expect, it } from 'vitest';
import { openSandboxSession, runInSandbox } from '../../src/sandbox/index.js';

describe('runInSandbox', () => {
  it('returns the completion value, or what SUBMIT received', async () => {
    expect(await runInSandbox('const xs = [1, 2, 3]; xs.map((x) => x * 2)')).toMatchObject({
      ok: true,
      value: [2, 4, 6],
      submitted: false,
    });
    expect(await runInSandbox('SUBMIT({ answer: 6 }); 1')).toMatchObject({
      ok: true,
      value: { answer: 6 },
      submitted: true,
    });
  });

  it('records console.log lines and reports thrown errors with their name', async () => {
    const r = await runInSandbox('console.log("x =", 2, { a: 1 }); throw new TypeError("bad")');
    expect(r).toMatchObject({ ok: false, kind: 'error', message: 'TypeError: bad' });
    expect(r.logs).toEqual(['x = 2 {"a":1}']);
  });

  it('lets code call async host tools, up to the call limit', async () => {
    const asked: unknown[] = [];
    const tools = {
      llmQuery: async (prompt: unknown) => {
        asked.push(prompt);
        return Promise.resolve(`echo:${String(prompt)}`);
      },
    };
    const ok = await runInSandbox('llmQuery("a") + "," + llmQuery("b")', { tools });
    expect(ok).toMatchObject({ ok: true, value: 'echo:a,echo:b', toolCalls: 2 });
    const over = await runInSandbox('for (let i = 0; i < 10; i++) llmQuery(String(i))', {
      tools,
      maxToolCalls: 3,
    });
    expect(over).toMatchObject({ ok: false, kind: 'tool_call_limit', toolCalls: 4 });
    expect(asked).toHaveLength(5);
  });

  it('turns a tool error into an exception the code can catch', async () => {
    const r = await runInSandbox('let m; try { fail() } catch (e) { m = e.message } m', {
      tools: {
        fail: () => {
          throw new Error('tool broke');
        },
      },
    });
    expect(r).toMatchObject({ ok: true, value: 'tool broke' });
  });
});

describe('runInSandbox escapes', () => {
  it.each([
    ['process', 'process.exit(1)'],
    ['require', 'require("fs")'],
    ['globalThis.process', 'globalThis.process.env'],
    ['constructor chain to process', '(function(){}).constructor("return process")().exit(1)'],
    ['Function to require', 'Function("return require")()("child_process")'],
    ['fetch', 'fetch("http://127.0.0.1/")'],
    ['setTimeout', 'setTimeout(() => 1, 0)'],
  ])('cannot reach the host through %s', async (_name, code) => {
    const r = await runInSandbox(code);
    expect(r).toMatchObject({ ok: false, kind: 'error' });
    expect(r.ok ? '' : r.message).toMatch(/ReferenceError|TypeError/);
  });

  it('cannot import modules', async () => {
    const r = await runInSandbox('import("fs").then((m) => m.readFileSync("/etc/passwd", "utf8"))');
    // Dynamic import is refused (no module loader); the promise never yields a file.
    expect(r.ok && typeof r.value === 'string' && r.value.includes('root')).toBe(false);
  });

  it('prototype pollution stays inside the isolate', async () => {
    const r = await runInSandbox(
      'Object.prototype.polluted = "yes"; Array.prototype.map = null; ({}).polluted',
    );
    expect(r).toMatchObject({ ok: true, value: 'yes' });
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
    expect([1].map((x) => x + 1)).toEqual([2]);
    // And a new run starts clean.
    expect(await runInSandbox('({}).polluted')).toMatchObject({ ok: true, value: undefined });
  });

  it('an infinite loop is interrupted at the time limit', async () => {
    let t = 0;
    // An injected clock that advances on every look: the loop is stopped without waiting.
    const r = await runInSandbox('while (true) {}', { timeoutMs: 1000, now: () => (t += 50) });
    expect(r).toMatchObject({ ok: false, kind: 'timeout' });
  });

  it('time spent waiting on tools does not count against the time limit', async () => {
    let clock = 0;
    const slowLm = async (): Promise<string> => {
      clock += 10_000; // a slow sub-LM call: ten seconds pass on the injected clock
      return Promise.resolve('done');
    };
    const r = await runInSandbox('slowLm() + slowLm()', {
      timeoutMs: 1000,
      now: () => clock,
      tools: { slowLm },
    });
    expect(r).toMatchObject({ ok: true, value: 'donedone' });
  });

  it('a huge allocation fails with a memory error, and the host lives on', async () => {
    const r = await runInSandbox('const a = []; while (true) a.push(new Array(1e6).fill(1));', {
      memoryLimitBytes: 8 * 1024 * 1024,
      timeoutMs: 30_000,
    });
    expect(r).toMatchObject({ ok: false, kind: 'memory' });
    expect(await runInSandbox('1 + 1')).toMatchObject({ ok: true, value: 2 });
  });

  it('runaway recursion hits the stack limit instead of crashing the host', async () => {
    const r = await runInSandbox('function f(n) { return f(n + 1) + 1 } f(0)');
    expect(r).toMatchObject({ ok: false, kind: 'error' });
    expect(r.ok ? '' : r.message).toMatch(/stack/i);
  });
});

describe('openSandboxSession', () => {
  it('keeps globals between executions and reassigns the given variables each time', async () => {
    const session = await openSandboxSession();
    try {
      expect(
        await session.execute('const seen = []; seen.push(input); seen.length', {
          variables: { input: 'a' },
        }),
      ).toMatchObject({ ok: true, value: 1 });
      const second = await session.execute('input = "mutated"; seen.push(input); seen', {
        variables: { input: 'b' },
      });
      expect(second).toMatchObject({ ok: true, value: ['a', 'mutated'], submitted: false });
      // A later execution gets the original value again, and a fresh log and SUBMIT.
      expect(
        await session.execute('console.log(input); SUBMIT(seen.length)', {
          variables: { input: 'b' },
        }),
      ).toEqual({
        ok: true,
        value: 2,
        submitted: true,
        logs: ['b'],
        toolCalls: 0,
      });
    } finally {
      session.close();
    }
  });

  it('applies the time limit to each execution, and the session survives a timeout', async () => {
    let t = 0;
    let ticking = true;
    // An injected clock that advances on every look while `ticking`: no real waiting.
    const session = await openSandboxSession({
      timeoutMs: 1000,
      now: () => (ticking ? (t += 50) : t),
    });
    try {
      expect(await session.execute('var n = 1; while (true) {}')).toMatchObject({
        ok: false,
        kind: 'timeout',
      });
      ticking = false;
      expect(await session.execute('n + 1')).toMatchObject({ ok: true, value: 2 });
    } finally {
      session.close();
    }
  });

  it('counts tool calls over the whole session and refuses work once closed', async () => {
    const session = await openSandboxSession({ tools: { ping: () => 'pong' }, maxToolCalls: 2 });
    expect(await session.execute('ping()')).toMatchObject({ ok: true, toolCalls: 1 });
    expect(await session.execute('ping(); ping()')).toMatchObject({
      ok: false,
      kind: 'tool_call_limit',
    });
    expect(session.toolCalls).toBe(3);
    session.close();
    session.close();
    expect(await session.execute('1')).toMatchObject({
      ok: false,
      message: 'Error: the sandbox session is closed.',
    });
  });
});
