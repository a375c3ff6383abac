/**
 * Issue 10 item 5, done-when: a configuration deployed on one node serves on every node of a real
 * 2-node cluster. Two runtime nodes as OS processes (test/runtime/fixtures/variables-node.ts) on a
 * redis-server this file owns, the OpenAI fixture as the model (its recorded requests show the
 * temperature and instructions each node ran with), the stored configurations, and `dspex deploy`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/index.js';
import { startOpenAIFixture, type LMFixture, type RecordedRequest } from '../fixtures/index.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { ROOT, cleanEnv, runDspex } from './fixtures/node-process.js';

const SCRIPT = join(ROOT, 'test', 'runtime', 'fixtures', 'variables-node.ts');
const PROGRAMS = join(ROOT, 'test', 'runtime', 'fixtures', 'variable-programs.ts');

interface Line {
  id?: number;
  result?: unknown;
  error?: { code: string; message: string };
  event?: string;
  revision?: number;
  config?: Record<string, unknown>;
  ready?: boolean;
}

/** A node process driven line by line: commands in, answers and events out. */
class Node {
  readonly lines: Line[] = [];
  private readonly waiters: { test: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];
  private nextId = 1;
  readonly exited: Promise<unknown>;

  constructor(readonly child: ChildProcess) {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    this.exited = new Promise((r) => child.once('exit', r));
    void this.exited.then(() => {
      for (const w of this.waiters.splice(0))
        w.resolve({ error: { code: 'exited', message: stderr } });
    });
    createInterface({ input: child.stdout! }).on('line', (text) => {
      if (!text.startsWith('{')) return;
      const line = JSON.parse(text) as Line;
      this.lines.push(line);
      for (const w of [...this.waiters])
        if (w.test(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
    });
  }

  /** The first line (seen already or to come) that passes `test`. */
  waitFor(test: (l: Line) => boolean): Promise<Line> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  async send(command: Record<string, unknown>): Promise<Line> {
    const id = this.nextId++;
    const answer = this.waitFor((l) => l.id === id);
    this.child.stdin!.write(`${JSON.stringify({ id, ...command })}\n`);
    return answer;
  }

  /** This node's `config_changed` report of revision `revision` or later. */
  configChanged(revision: number): Promise<Line> {
    return this.waitFor((l) => l.event === 'config_changed' && (l.revision ?? 0) >= revision);
  }
}

/** Rejects after `ms` unless `promise` settles first (how long a node may take to see a deploy). */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

describe('variable configurations on a real 2-node cluster', () => {
  const prefix = `varcluster-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'dspex-varcluster-'));
  let redisServer: RedisServerHandle;
  let fixture: LMFixture;
  let store: RedisStore;
  const nodes: Node[] = [];

  /** The request the fixture received for `question` (the last one). */
  const requestFor = (question: string): RecordedRequest | undefined =>
    [...fixture.requests].reverse().find((r) => JSON.stringify(r.body.messages).includes(question));
  const systemOf = (r: RecordedRequest | undefined): string =>
    String((r?.body.messages as { role: string; content: string }[])[0]?.content ?? '');

  beforeAll(async () => {
    redisServer = await startRedisServer();
    fixture = await startOpenAIFixture();
    const configPath = join(dir, 'dspex.config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        programs: PROGRAMS,
        redis: { url: redisServer.url, prefix },
        jobs: { overrides: { maxTokens: 4096 } },
        logLevel: 'warn',
      }),
    );
    for (const nodeId of ['var-a', 'var-b']) {
      const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--config', configPath], {
        cwd: ROOT,
        env: cleanEnv({ DSPEX_TEST_LM_URL: fixture.url, DSPEX_NODE_ID: nodeId }),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      nodes.push(new Node(child));
    }
    const ready = await Promise.all(
      nodes.map((n) => n.waitFor((l) => l.ready === true || l.error !== undefined)),
    );
    for (const r of ready) expect(r.error).toBeUndefined();
    store = new RedisStore({ redis: redisServer.url, prefix: `${prefix}:store` });
  }, 90_000);

  afterAll(async () => {
    for (const n of nodes) n.child.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.exited));
    await store?.close();
    await fixture?.close();
    await redisServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the program space once for both nodes, overridable variables marked', async () => {
    const space = await store.variableSpaces.get('qa');
    expect(space.version).toBe('1');
    expect(space.variables.map((v) => [v.name, v.kind, v.overridable])).toEqual([
      ['temperature', 'float', true],
      ['instructions', 'choice', false],
    ]);
    const [a] = nodes;
    const view = (await a!.send({ op: 'variables', program: 'qa' })).result as {
      spaceVersion: string;
      active: { revision: number };
    };
    expect(view).toMatchObject({ spaceVersion: '1', active: { revision: 0 } });
  });

  it('a configuration deployed on node A serves on node B within a second, without a restart', async () => {
    const [a, b] = nodes as [Node, Node];
    await b.send({ op: 'run', program: 'qa', inputs: { question: 'before the deploy?' } });
    const before = requestFor('before the deploy?');
    expect(before?.body.temperature).toBe(0.7);
    expect(systemOf(before)).toContain('Answer briefly.');

    const point = await store.variableConfigurations.create({
      program: 'qa',
      values: { temperature: 0, instructions: 1 },
    });
    const deployed = await a.send({
      op: 'deploy',
      program: 'qa',
      target: { configuration: point.id },
    });
    expect(deployed.error).toBeUndefined();
    const { revision } = deployed.result as { revision: number };
    // Node B reports the change by itself (pub/sub), well within a second of the deploy.
    const seen = await within(1_000, 'node B installing the deployment', b.configChanged(revision));
    expect(seen.config).toMatchObject({
      configuration: point.id,
      variables: { temperature: 0, instructions: 1 },
    });

    await b.send({ op: 'run', program: 'qa', inputs: { question: 'after the deploy?' } });
    const after = requestFor('after the deploy?');
    expect(after?.body.temperature).toBe(0);
    expect(systemOf(after)).toContain('Answer like a pirate.');
  });

  it('a point found over filled candidates deploys on node A and serves on node B with its carried instruction', async () => {
    const [a, b] = nodes as [Node, Node];
    /** Stores `point`, deploys it on A and waits (at most a second) for B to install it. */
    const deployOnA = async (point: Parameters<typeof store.variableConfigurations.create>[0]) => {
      const { id } = await store.variableConfigurations.create(point);
      const deployed = await a.send({ op: 'deploy', program: 'qa', target: { configuration: id } });
      expect(deployed.error).toBeUndefined();
      const { revision } = deployed.result as { revision: number };
      await within(1_000, 'node B installing the deployment', b.configChanged(revision));
    };
    // As a search with `candidates` stores it: index 3 exists only in the searching node's filled
    // list; the chosen text travels with the values.
    await deployOnA({
      program: 'qa',
      values: { temperature: 0, instructions: 3 },
      candidates: { instructions: 'Answer in exactly three words.' },
    });
    for (const [node, question] of [
      [b, 'carried on B?'],
      [a, 'carried on A?'],
    ] as const) {
      const answer = await node.send({ op: 'run', program: 'qa', inputs: { question } });
      expect(answer.error).toBeUndefined();
      expect(systemOf(requestFor(question))).toContain('Answer in exactly three words.');
    }
    // The next configuration without carried values serves its own indexed candidate again.
    await deployOnA({ program: 'qa', values: { temperature: 0, instructions: 1 } });
    await b.send({ op: 'run', program: 'qa', inputs: { question: 'plain again on B?' } });
    expect(systemOf(requestFor('plain again on B?'))).toContain('Answer like a pirate.');
  });

  it('jobs may override only overridable variables, within their range, naming the variable and value', async () => {
    const [, b] = nodes as [Node, Node];
    const ok = await b.send({
      op: 'run',
      program: 'qa',
      inputs: { question: 'override ok?' },
      config: { variables: { temperature: 1.2 } },
    });
    expect(ok.error).toBeUndefined();
    const request = requestFor('override ok?');
    expect(request?.body.temperature).toBe(1.2);
    // The rest of the deployed point stays.
    expect(systemOf(request)).toContain('Answer like a pirate.');

    const locked = await b.send({
      op: 'run',
      program: 'qa',
      inputs: { question: 'locked?' },
      config: { variables: { instructions: 0 } },
    });
    expect(locked.error?.code).toBe('invalid_job');
    expect(locked.error?.message).toContain("Variable 'instructions' (value 0) is not overridable");

    const outside = await b.send({
      op: 'run',
      program: 'qa',
      inputs: { question: 'too hot?' },
      config: { variables: { temperature: 3 } },
    });
    expect(outside.error?.code).toBe('invalid_job');
    expect(outside.error?.message).toContain(
      "Variable 'temperature': value 3 is outside the range [0, 1.5]",
    );
    expect(requestFor('locked?')).toBeUndefined();
    expect(requestFor('too hot?')).toBeUndefined();
  });

  it('`dspex deploy --configuration` from the command line reaches both nodes', async () => {
    const point = await store.variableConfigurations.create({
      program: 'qa',
      values: { temperature: 0.7, instructions: 0 },
    });
    const previous = (await store.deployments.find('qa'))!.revision;
    const cli = await runDspex(
      ['deploy', 'qa', '--configuration', point.id, '--redis', redisServer.url, '--prefix', prefix],
      dir,
    );
    expect(cli.stderr).toContain(`deployed qa revision ${previous + 1}`);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({
      program: 'qa',
      revision: previous + 1,
      configuration: point.id,
    });
    await Promise.all(
      nodes.map((n) =>
        within(5_000, 'a node installing the CLI deploy', n.configChanged(previous + 1)),
      ),
    );
    await nodes[0]!.send({ op: 'run', program: 'qa', inputs: { question: 'cli deploy on A?' } });
    expect(systemOf(requestFor('cli deploy on A?'))).toContain('Answer briefly.');

    const bad = await store.variableConfigurations.create({
      program: 'qa',
      values: { temperature: 9 },
    });
    const refused = await runDspex(
      ['deploy', 'qa', '--configuration', bad.id, '--redis', redisServer.url, '--prefix', prefix],
      dir,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "variable 'temperature': value 9 is outside the range [0, 1.5]",
    );
    expect((await store.deployments.find('qa'))!.revision).toBe(previous + 1);
  });
});
