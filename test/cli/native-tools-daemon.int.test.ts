/**
 * Native function calling and image inputs under the daemon, as real processes: a Redis-mode
 * `dspex start` hosting a programs module whose ReActV2 agent and plain-Tool program call their
 * tools natively through the OpenAI SDK (against the wire fixture), driven by `dspex submit`.
 * The tools are functions of the programs module; job payloads carry only inputs.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LMFixture } from '../fixtures/index.js';
import { startRedisDaemons, type RedisDaemons } from '../helpers/redis-daemons.js';
import { ROOT, runDspex, type DaemonProcess } from './cli-process.js';

const PROGRAMS = `${ROOT}/test/cli/fixtures/native-tools-programs.ts`;

describe('native tools and images under dspex start + dspex submit (real processes)', () => {
  const url = inject('redisUrl');
  const prefix = `native-tools-${process.pid}-${Date.now()}`;
  let cluster: RedisDaemons;
  let fixture: LMFixture;
  let env: NodeJS.ProcessEnv;
  let daemon: DaemonProcess;
  let redisArgs: string[];

  beforeAll(async () => {
    cluster = await startRedisDaemons({
      redisUrl: url,
      prefix,
      nodeIds: ['native-tools'],
      config: { programs: PROGRAMS, shutdown: { drainTimeoutMs: 5_000 } },
    });
    ({ fixture, env, redisArgs } = cluster);
    daemon = cluster.daemons[0]!;
  }, 120_000);

  afterAll(() => cluster?.close());

  const submit = (program: string, inputs: object) =>
    runDspex(
      [
        'submit',
        program,
        '--input',
        JSON.stringify(inputs),
        '--wait',
        '--timeout',
        '60000',
        ...redisArgs,
      ],
      { cwd: daemon.cwd, env },
    );

  it('a ReActV2 agent calls its tool natively, gets the result back and submits', async () => {
    fixture.reset();
    fixture.enqueue({
      kind: 'tool_calls',
      calls: [
        { id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
        { id: 'call_2', name: 'get_weather', arguments: { city: 'Oslo' } },
      ],
    });
    fixture.enqueue({
      kind: 'tool_calls',
      calls: [{ id: 'call_3', name: 'submit', arguments: { answer: 'Sunny in both' } }],
    });
    const res = await submit('agent', { question: 'Weather in Paris and Oslo?' });
    expect(res.stderr).not.toMatch(/failed/i);
    expect(res.code).toBe(0);
    const result = JSON.parse(res.stdout) as { outputs: Record<string, unknown> };
    expect(result.outputs['answer']).toBe('Sunny in both');
    expect(result.outputs['termination_reason']).toBe('submit');
    const [first, second] = fixture.requests.map((r) => r.body);
    expect(first.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual([
      'get_weather',
      'submit',
    ]);
    // The second turn carries both tool results, computed by the function in the node.
    const toolMessages = second.messages.filter((m: { role: string }) => m.role === 'tool');
    expect(toolMessages.map((m: { content: string }) => m.content)).toEqual([
      'Sunny in Paris',
      'Sunny in Oslo',
    ]);
  }, 90_000);

  it('a program using a plain Tool runs the natively called tool in the node', async () => {
    fixture.reset();
    fixture.enqueue({
      kind: 'tool_calls',
      calls: [{ id: 'call_9', name: 'get_weather', arguments: { city: 'Lima' } }],
    });
    const res = await submit('desk', { question: 'Weather in Lima?' });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).outputs).toEqual({ answer: 'Sunny in Lima' });
    expect(fixture.requests[0]?.body.tools).toHaveLength(1);
  }, 90_000);

  it('an image given as a URL in the job payload reaches the provider as an image part', async () => {
    fixture.reset();
    const res = await submit('look', {
      image: 'https://example.com/cat.png',
      question: 'What animal?',
    });
    expect(res.code).toBe(0);
    expect(typeof JSON.parse(res.stdout).outputs.answer).toBe('string');
    const user = fixture.requests[0]?.body.messages[1];
    expect(user.content[1]).toEqual({
      type: 'image_url',
      image_url: { url: 'https://example.com/cat.png' },
    });
  }, 90_000);

  it('a bad image in the payload fails the job with a readable reason and the node lives on', async () => {
    fixture.reset();
    const bad = await submit('look', { image: '/etc/passwd', question: 'What?' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Unrecognized image string: /etc/passwd');
    expect(fixture.requests).toHaveLength(0);
    const again = await submit('look', { image: 'https://example.com/dog.png', question: 'And?' });
    expect(again.code).toBe(0);
  }, 90_000);
});
