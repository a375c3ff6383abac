/**
 * Native tools: a ReActV2 agent whose tools are a zod-typed function and the tools of an MCP
 * server (started here as a child process over stdio with the official SDK). Each turn the model
 * answers with native tool calls; calls of one turn run in parallel; `submit` ends the run.
 *
 *   npx tsx examples/tools-agent.ts          # offline, scripted DummyLM tool calls
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { z } from 'zod';
import { DummyLM, JSONAdapter, ReActV2, Tool, context, mcpTools, nativeAnswer } from 'dspex';

const multiply = new Tool({
  name: 'multiply',
  description: 'Multiplies two numbers.',
  schema: z.object({ a: z.number(), b: z.number() }),
  func: ({ a, b }) => Number(a) * Number(b),
});

const client = new Client({ name: 'dspex-example', version: '1.0.0' });
await client.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      fileURLToPath(new URL('../test/fixtures/mcp-server.ts', import.meta.url)),
    ],
    stderr: 'ignore',
  }),
);
const serverTools = await mcpTools(client);
console.log(`MCP tools: ${serverTools.map((t) => t.name).join(', ')}`);

// The scripted model: one turn with two parallel calls, then submit.
const lm = new DummyLM(
  [
    nativeAnswer({
      reasoning: 'Add first, multiply in parallel.',
      toolCalls: [
        { id: 'c1', name: 'add', args: { a: 2, b: 3 } },
        { id: 'c2', name: 'multiply', args: { a: 4, b: 5 } },
      ],
    }),
    nativeAnswer({ toolCalls: [{ id: 'c3', name: 'submit', args: { answer: '5 and 20' } }] }),
  ],
  { supportsReasoning: true },
);

const agent = new ReActV2('question -> answer', [multiply, ...serverTools]);
const pred = await context({ lm, adapter: new JSONAdapter() }, () =>
  agent.call({ question: 'What are 2+3 and 4*5?' }),
);
console.log(`answer: ${String(pred.answer)} (${pred.termination_reason})`);
console.log(`turns: ${pred.history.messages.length}`);
await client.close();
