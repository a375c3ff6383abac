import { Tool } from './tool.js';
import { ModuleError } from './errors.js';
import type { JsonSchema } from '../lm/types.js';
import { isRecord } from '../signatures/index.js';

/** A tool as an MCP server lists it (`tools/list`). */
export interface McpToolInfo {
  readonly name: string;
  readonly description?: string | undefined;
  readonly inputSchema: JsonSchema;
}

/** One content item of an MCP tool result. */
export interface McpContent {
  readonly type: string;
  readonly text?: string;
  readonly [key: string]: unknown;
}

/**
 * What dspex needs from an MCP client: the official SDK's `Client` (from
 * `@modelcontextprotocol/sdk/client/index.js`, connected over stdio or streamable HTTP) fits.
 */
export interface McpToolClient {
  listTools(params?: { cursor?: string }): Promise<{
    tools: readonly McpToolInfo[];
    nextCursor?: string | undefined;
  }>;
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
}

/** Options of {@link toolFromMcp} and {@link mcpTools}. */
export interface McpToolOptions {
  /**
   * `text` (default, DSPy's): the text contents (one → a string, several → a list), else the other
   * contents. `structured`: the result's `structuredContent` when the server sends it.
   */
  resultMode?: 'text' | 'structured';
}

/** Inlines `#/$defs/…` references (DSPy's `_resolve_json_schema_reference`). */
function resolveRefs(schema: JsonSchema): JsonSchema {
  const defs = (schema['$defs'] ?? schema['definitions']) as Record<string, JsonSchema> | undefined;
  if (defs === undefined) return schema;
  const seen = new Set<string>();
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isRecord(v)) return v;
    const ref = v['$ref'];
    if (typeof ref === 'string') {
      const name = ref.split('/').pop() ?? '';
      const target = defs[name];
      if (target === undefined || seen.has(name)) return v;
      seen.add(name);
      const out = walk(target);
      seen.delete(name);
      return out;
    }
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== '$defs' && k !== 'definitions')
        .map(([k, x]) => [k, walk(x)]),
    );
  };
  return walk(schema) as JsonSchema;
}

/** DSPy's `_convert_mcp_tool_result`; an `isError` result throws (the agent sees the message). */
function convertResult(result: unknown, mode: 'text' | 'structured'): unknown {
  const r = isRecord(result) ? result : {};
  const content = (Array.isArray(r['content']) ? r['content'] : []) as McpContent[];
  const texts = content.filter((c) => c.type === 'text').map((c) => String(c.text ?? ''));
  const others = content.filter((c) => c.type !== 'text');
  const text: string | string[] = texts.length === 1 ? (texts[0] as string) : texts;
  if (r['isError'] === true) {
    throw new ModuleError(
      'tool_error',
      `Failed to call a MCP tool: ${Array.isArray(text) ? JSON.stringify(text) : text}`,
    );
  }
  if (mode === 'structured' && 'structuredContent' in r) return r['structuredContent'];
  return (Array.isArray(text) ? text.length > 0 : text !== '') ? text : others;
}

/**
 * A {@link Tool} that calls an MCP server's tool (DSPy's `Tool.from_mcp_tool`): the MCP input
 * schema's properties become the arguments (references inlined), calls go through
 * `client.callTool`, and an error result becomes a tool error.
 *
 * @example
 * ```ts
 * const { tools } = await client.listTools();
 * const add = toolFromMcp(client, tools[0]!);
 * await add.call({ a: 1, b: 2 }); // '3'
 * ```
 */
export function toolFromMcp(
  client: McpToolClient,
  info: McpToolInfo,
  options: McpToolOptions = {},
): Tool {
  const mode = options.resultMode ?? 'text';
  const schema = resolveRefs(info.inputSchema);
  return new Tool({
    name: info.name,
    description: info.description ?? '',
    schema: { ...schema, type: 'object', properties: schema['properties'] ?? {} },
    func: async (args) =>
      convertResult(await client.callTool({ name: info.name, arguments: args }), mode),
  });
}

/**
 * Every tool an MCP server offers, as {@link Tool}s (pages through `tools/list`). The client must
 * already be connected; closing it is the caller's business.
 *
 * @example
 * ```ts
 * import { Client } from '@modelcontextprotocol/sdk/client/index.js';
 * import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
 * const client = new Client({ name: 'my-agent', version: '1.0.0' });
 * await client.connect(new StdioClientTransport({ command: 'node', args: ['server.js'] }));
 * const agent = new ReActV2('question -> answer', await mcpTools(client));
 * ```
 */
export async function mcpTools(
  client: McpToolClient,
  options: McpToolOptions = {},
): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? undefined : { cursor });
    for (const info of page.tools) tools.push(toolFromMcp(client, info, options));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}
