import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BullMQTransport } from '../../src/transport/index.js';
import { cleanEnv, runDspex, startDaemonProcess, type DaemonProcess } from './cli-process.js';

/** A programs module whose `qa` answers `answer` after `delayMs` (a scripted LM: no network). */
function programsSource(answer: string, delayMs: number): string {
  return `import { DummyLM, Module, Predict } from 'dspex';
class Slow extends Module {
  predict = new Predict('question -> answer');
  constructor() {
    super();
    this.predict.lm = new DummyLM({ '[[ ## question ## ]]': { answer: '${answer}' } });
  }
  async forward(inputs: Record<string, unknown>) {
    await new Promise((r) => setTimeout(r, ${delayMs}));
    return this.predict.call(inputs);
  }
}
export default { qa: new Slow() };
`;
}

interface ReloadReply {
  nodeId: string;
  ok: boolean;
  result?: string;
  error?: string;
  version: { version: number; hash: string };
}

describe('dspex reload swaps the programs module of two Redis-mode nodes under load (real processes)', () => {
  const url = inject('redisUrl');
  const prefix = `reload-int-${process.pid}-${Date.now()}`;
  const cwd = mkdtempSync(join(tmpdir(), 'dspex-reload-'));
  const programs = join(cwd, 'programs.ts');
  const daemons: DaemonProcess[] = [];
  let transport: BullMQTransport;

  const answerOf = async (id: string): Promise<string> =>
    ((await transport.waitForResult('dspex-run', id, 60_000)) as { outputs: { answer: string } })
      .outputs.answer;
  const submit = (question: string): Promise<string> =>
    transport.enqueue('dspex-run', { program: 'qa', inputs: { question } });
  const reload = async (): Promise<{
    code: number | null;
    replies: ReloadReply[];
    out: string;
  }> => {
    const r = await runDspex(['reload', '--json'], { cwd });
    if (!r.stdout.startsWith('{')) throw new Error(`dspex reload printed no JSON: ${r.stderr}`);
    const doc = JSON.parse(r.stdout) as { nodes: ReloadReply[] };
    return { code: r.code, replies: doc.nodes, out: r.stdout + r.stderr };
  };

  beforeAll(async () => {
    writeFileSync(programs, programsSource('v1', 1_500));
    writeFileSync(
      join(cwd, 'dspex.config.json'),
      JSON.stringify({
        programs: './programs.ts',
        redis: { url, prefix },
        admin: { port: 0 },
        shutdown: { drainTimeoutMs: 5_000 },
      }),
    );
    for (const id of ['node-a', 'node-b'])
      daemons.push(startDaemonProcess(cwd, cleanEnv({ DSPEX_NODE_ID: id })));
    await Promise.all(daemons.map((d) => d.waitForOutput('dspex daemon started')));
    transport = new BullMQTransport({ url, prefix });
  }, 180_000);

  afterAll(async () => {
    for (const d of daemons) d.kill();
    await transport?.close();
  });

  it('jobs in flight finish on v1, jobs after the swap answer v2, none fails or is lost', async () => {
    const before = await Promise.all(Array.from({ length: 6 }, (_, i) => submit(`before ${i}`)));
    // Every one of them running (two nodes, eight slots each) before the new code is written.
    await expect
      .poll(
        async () =>
          (await Promise.all(before.map((id) => transport.getJob('dspex-run', id)))).every(
            (j) => j?.state === 'active' || j?.state === 'completed',
          ),
        { timeout: 30_000, interval: 50 },
      )
      .toBe(true);
    writeFileSync(programs, programsSource('v2', 10));
    // Jobs keep arriving while the nodes reload.
    const during: string[] = [];
    const stream = setInterval(
      () => void submit(`during ${during.length}`).then((id) => during.push(id)),
      40,
    );
    const swapped = await reload().finally(() => clearInterval(stream));
    expect(swapped.code, swapped.out).toBe(0);
    expect(swapped.replies.map((r) => [r.nodeId, r.ok, r.result, r.version.version])).toEqual([
      ['node-a', true, 'reloaded', 2],
      ['node-b', true, 'reloaded', 2],
    ]);
    const after = await Promise.all(Array.from({ length: 6 }, (_, i) => submit(`after ${i}`)));

    expect(await Promise.all(before.map(answerOf))).toEqual(before.map(() => 'v1'));
    const duringAnswers = await Promise.all(during.map(answerOf));
    expect(duringAnswers.every((a) => a === 'v1' || a === 'v2')).toBe(true);
    expect(await Promise.all(after.map(answerOf))).toEqual(after.map(() => 'v2'));
    const all = [...before, ...during, ...after];
    const states = await Promise.all(
      all.map(async (id) => (await transport.getJob('dspex-run', id))?.state),
    );
    expect(states).toEqual(all.map(() => 'completed'));

    // Both nodes report the new version in their heartbeats (the cluster view of inspect).
    await expect
      .poll(
        async () => {
          const r = await runDspex(['inspect', '--json', '--redis', url, '--prefix', prefix], {
            cwd,
          });
          const doc = JSON.parse(r.stdout) as {
            nodes: { nodeId: string; programsVersion?: { version: number; hash: string } }[];
          };
          return doc.nodes.map((n) => [n.nodeId, n.programsVersion?.version]).sort();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toEqual([
        ['node-a', 2],
        ['node-b', 2],
      ]);
  }, 240_000);

  it('a module with a syntax error, or one that throws on import, is refused and v2 keeps serving', async () => {
    writeFileSync(programs, `${programsSource('v3', 10)}\nexport const broken = {`);
    const syntax = await reload();
    expect(syntax.code).toBe(1);
    for (const reply of syntax.replies) {
      expect(reply.ok).toBe(false);
      expect(reply.error).toMatch(/programs module .*programs\.ts has a syntax error at line \d+/);
      expect(reply.version.version).toBe(2);
    }
    expect(syntax.replies).toHaveLength(2);
    expect(await answerOf(await submit('after a syntax error'))).toBe('v2');

    writeFileSync(
      programs,
      `throw new Error('boom while importing');\n${programsSource('v3', 10)}`,
    );
    const throwing = await reload();
    expect(throwing.code).toBe(1);
    expect(throwing.replies).toHaveLength(2);
    for (const reply of throwing.replies) {
      expect(reply.ok).toBe(false);
      expect(reply.error).toContain('threw while loading: boom while importing');
    }
    expect(await answerOf(await submit('after a throwing module'))).toBe('v2');

    const text = await runDspex(['reload'], { cwd });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('node-a  FAILED, v2 #');
    expect(text.stdout).toContain('keeps serving: programs module');
    const inspect = await runDspex(['inspect'], { cwd });
    expect(inspect.stdout).toContain('programs-module v2 #');
    expect(inspect.stdout).toContain('last reload failed');
  }, 180_000);
});
