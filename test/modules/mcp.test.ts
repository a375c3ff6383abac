import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSONAdapter, type ToolCalls } from '../../src/adapters/index.js';
import { DummyLM, nativeAnswer } from '../../src/lm/index.js';
import { mcpTools, ReActV2, toolFromMcp, context, type Tool } from '../../src/modules/index.js';
import { startMcpHttp } from '../fixtures/mcp-server.js';

const serverFile = fileURLToPath(new URL('../fixtures/mcp-server.ts', import.meta.url));

describe('MCP tools over stdio (a real server process)', () => {
  let client: Client;
  let tools: Tool[];
  beforeAll(async () => {
    client = new Client({ name: 'dspex-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', serverFile],
        stderr: 'ignore',
      }),
    );
    tools = await mcpTools(client);
  });
  afterAll(async () => {
    await client.close();
  });

  it('lists the server tools with their descriptions and argument schemas', () => {
    expect(tools.map((t) => t.name)).toEqual(['add', 'fail', 'describe_point']);
    const add = tools[0] as Tool;
    expect(add.desc).toBe('Adds two numbers.');
    expect(add.args).toEqual({
      a: { type: 'number', description: 'first' },
      b: { type: 'number' },
    });
    expect(add.formatAsFunctionCall().parameters['required']).toEqual(['a', 'b']);
    expect(tools[2]?.args['point']).toMatchObject({
      type: 'object',
      properties: { x: { type: 'number' }, y: { type: 'number' } },
    });
  });

  it('calls tools through the client; text by default, structured content when asked', async () => {
    expect(await tools[0]?.call({ a: 2, b: 3 })).toBe('5');
    expect(await tools[2]?.call({ point: { x: 1, y: 2 }, label: 'A' })).toBe('A=(1, 2)');
    const { tools: infos } = await client.listTools();
    const structured = toolFromMcp(client, infos[0] as never, { resultMode: 'structured' });
    expect(await structured.call({ a: 2, b: 3 })).toEqual({ sum: 5 });
  });

  it('an error result and bad arguments fail the call with the reason', async () => {
    await expect(tools[1]?.call({ why: 'no' })).rejects.toThrow(
      'Failed to call a MCP tool: refused: no',
    );
    await expect(tools[0]?.call({ a: 2 })).rejects.toThrow('Arg b is required.');
    await expect(tools[0]?.call({ a: 'two', b: 1 })).rejects.toThrow(/Arg a is invalid/);
  });

  it('a ReActV2 agent uses the MCP tools natively and sees their errors', async () => {
    const lm = new DummyLM(
      [
        nativeAnswer({
          toolCalls: [
            { id: 'm1', name: 'add', args: { a: 20, b: 22 } },
            { id: 'm2', name: 'fail', args: { why: 'test' } },
          ],
        }),
        nativeAnswer({ toolCalls: [{ id: 'm3', name: 'submit', args: { answer: '42' } }] }),
      ],
      { supportsReasoning: true },
    );
    const agent = new ReActV2('question -> answer', tools);
    const pred = await context({ lm, adapter: new JSONAdapter() }, () =>
      agent.call({ question: '20 + 22?' }),
    );
    expect(pred.answer).toBe('42');
    const results = (pred.history.messages[0]?.['tool_calls'] as ToolCalls).toolCallResults;
    expect(results?.map((r) => [r.value, r.isError])).toEqual([
      ['42', false],
      ['Execution error in fail: ModuleError: Failed to call a MCP tool: refused: test', true],
    ]);
  });
});

describe('MCP tools over streamable HTTP', () => {
  let server: Awaited<ReturnType<typeof startMcpHttp>>;
  let client: Client;
  beforeAll(async () => {
    server = await startMcpHttp();
    client = new Client({ name: 'dspex-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(server.url));
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('converts and calls the same tools over HTTP', async () => {
    const tools = await mcpTools(client);
    expect(tools.map((t) => t.name)).toEqual(['add', 'fail', 'describe_point']);
    expect(await tools[0]?.call({ a: 1, b: 1 })).toBe('2');
  });
});
