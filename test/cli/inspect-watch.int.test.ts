import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { startAdminServer } from '../../src/daemon/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { StubRuntime } from '../daemon/stub-runtime.js';
import { fakeFactory, memoryIO } from './fake-runtime.js';

describe('dspex inspect --watch against a live admin endpoint', () => {
  it('prints one compact JSON document per tick and exits 0 when interrupted', async () => {
    const runtime = new StubRuntime('watched');
    const admin = await startAdminServer({ runtime, port: 0, logger: silentLogger(), token: 'tk' });
    try {
      const interrupt = new AbortController();
      let ticks = 0;
      const io = {
        ...memoryIO(mkdtempSync(join(tmpdir(), 'dspex-watch-'))),
        interrupt: interrupt.signal,
        // The third tick is the operator's Ctrl-C.
        sleep: () => {
          if (++ticks === 3) interrupt.abort();
          return Promise.resolve();
        },
      };
      const code = await runCli(
        ['inspect', '--watch', '--json', '--url', admin.url, '--token', 'tk'],
        {
          startRuntime: fakeFactory().factory,
          io,
        },
      );
      expect(code).toBe(0);
      const lines = io.out().trim().split('\n');
      expect(lines).toHaveLength(3);
      for (const line of lines)
        expect(JSON.parse(line)).toMatchObject({
          source: 'admin',
          nodes: [{ nodeId: 'watched', status: 'ok' }],
        });
    } finally {
      await admin.close();
    }
  });

  it('keeps watching when the endpoint goes away, reporting it on stderr', async () => {
    const admin = await startAdminServer({
      runtime: new StubRuntime('gone-soon'),
      port: 0,
      logger: silentLogger(),
    });
    const interrupt = new AbortController();
    let ticks = 0;
    const base = memoryIO(mkdtempSync(join(tmpdir(), 'dspex-watch-')));
    const io = {
      ...base,
      interrupt: interrupt.signal,
      sleep: async () => {
        ticks += 1;
        if (ticks === 1) await admin.close();
        if (ticks === 2) interrupt.abort();
      },
    };
    const code = await runCli(['inspect', '--watch', '--url', admin.url], {
      startRuntime: fakeFactory().factory,
      io,
    });
    expect(code).toBe(0);
    expect(io.out()).toContain('node gone-soon  mode embedded  status ok');
    expect(io.err()).toContain('does not answer');
  });
});
