import {
  newQuickJSAsyncWASMModule,
  type QuickJSAsyncContext,
  type QuickJSHandle,
} from 'quickjs-emscripten';

/** A host function the sandboxed code may call (JSON-safe arguments and result). */
export type SandboxTool = (...args: unknown[]) => unknown;

/** Options of {@link runInSandbox}. Defaults are declared in {@link SANDBOX_DEFAULTS}. */
export interface SandboxOptions {
  /** Heap limit of the isolate in bytes (default 32 MiB). */
  memoryLimitBytes?: number;
  /** Stack limit in bytes (default 512 KiB): deep recursion fails instead of crashing. */
  maxStackBytes?: number;
  /** Time the code may run, in ms, not counting the time spent waiting on tools (default 1000). */
  timeoutMs?: number;
  /** Functions exposed as globals (e.g. `llmQuery`); may be async. */
  tools?: Readonly<Record<string, SandboxTool>>;
  /** Calls of all tools together before they start failing (default 16). */
  maxToolCalls?: number;
  /** Lines `console.log` may record (default 100; longer output is cut). */
  maxLogLines?: number;
  /** The clock for the time limit (default `Date.now`). */
  now?: () => number;
}

/** The defaults of {@link SandboxOptions}, in one place. */
export const SANDBOX_DEFAULTS = Object.freeze({
  memoryLimitBytes: 32 * 1024 * 1024,
  maxStackBytes: 512 * 1024,
  timeoutMs: 1000,
  maxToolCalls: 16,
  maxLogLines: 100,
});

/** Why a sandbox run failed. */
export type SandboxFailureKind = 'timeout' | 'memory' | 'error' | 'tool_call_limit';

/** What {@link runInSandbox} returns: the value (or `SUBMIT`ted one) and the logs, or a failure. */
export type SandboxResult =
  | { ok: true; value: unknown; submitted: boolean; logs: string[]; toolCalls: number }
  | {
      ok: false;
      kind: SandboxFailureKind;
      /** `Name: message` of the error as the code saw it. */
      message: string;
      logs: string[];
      toolCalls: number;
    };

/** Options of one {@link SandboxSession.execute}. */
export interface ExecuteOptions {
  /** Globals (re)assigned before the code runs, as JSON data (e.g. a program's inputs). */
  variables?: Readonly<Record<string, unknown>>;
}

/**
 * A QuickJS isolate that keeps its globals between executions — a REPL for code an LM writes step
 * by step (`RLM`). Limits as {@link runInSandbox}; the time limit applies to each execution, the
 * tool-call limit to the whole session. After a memory failure the isolate may be unusable: later
 * executions then fail with kind `'error'` rather than crash the host. Close it when done.
 */
export interface SandboxSession {
  /** Runs `code` in the session: the completion value, or the `SUBMIT`ted one, and the logs. */
  execute(code: string, options?: ExecuteOptions): Promise<SandboxResult>;
  /** Tool calls made so far in this session. */
  readonly toolCalls: number;
  /** Frees the isolate (idempotent). */
  close(): void;
}

/**
 * Opens a {@link SandboxSession}: a fresh QuickJS isolate (WebAssembly, via `quickjs-emscripten`)
 * with its own heap and globals — no `require`, `process`, `import`, file system, network or
 * timers — and the host `tools` defined as globals.
 */
export async function openSandboxSession(options: SandboxOptions = {}): Promise<SandboxSession> {
  const o = { ...SANDBOX_DEFAULTS, ...options };
  const now = options.now ?? Date.now;
  const module = await newQuickJSAsyncWASMModule();
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(o.memoryLimitBytes);
  runtime.setMaxStackSize(o.maxStackBytes);
  // Per execution: its start, the time spent awaiting host tools (an LM call takes seconds and
  // does not count against the code), its logs and its SUBMIT.
  let started = now();
  let hostMs = 0;
  let timedOut = false;
  let logs: string[] = [];
  let submitted: { value: unknown } | undefined;
  let toolCalls = 0;
  let overCallLimit = false;
  let closed = false;
  runtime.setInterruptHandler(() => {
    if (now() - started - hostMs > o.timeoutMs) timedOut = true;
    return timedOut;
  });
  const vm = runtime.newContext();
  define(
    vm,
    'SUBMIT',
    vm.newFunction('SUBMIT', (value) => {
      submitted = { value: value === undefined ? undefined : vm.dump(value) };
      return vm.undefined;
    }),
  );
  const consoleObject = vm.newObject();
  const log = vm.newFunction('log', (...args) => {
    if (logs.length < o.maxLogLines) logs.push(args.map((a) => show(vm.dump(a))).join(' '));
    return vm.undefined;
  });
  vm.setProp(consoleObject, 'log', log);
  log.dispose();
  define(vm, 'console', consoleObject);
  for (const [name, tool] of Object.entries(o.tools ?? {})) {
    define(
      vm,
      name,
      vm.newAsyncifiedFunction(name, async (...args) => {
        toolCalls += 1;
        if (toolCalls > o.maxToolCalls) {
          overCallLimit = true;
          return { error: vm.newError(`Tool call limit reached (${o.maxToolCalls} calls).`) };
        }
        const calledAt = now();
        try {
          const value = await tool(...args.map((a) => vm.dump(a) as unknown));
          return toHandle(vm, value);
        } catch (e) {
          return { error: vm.newError(e instanceof Error ? e.message : String(e)) };
        } finally {
          hostMs += now() - calledAt;
        }
      }),
    );
  }

  const execute = async (code: string, exec: ExecuteOptions = {}): Promise<SandboxResult> => {
    started = now();
    hostMs = 0;
    timedOut = false;
    overCallLimit = false;
    logs = [];
    submitted = undefined;
    const callsBefore = toolCalls;
    const fail = (kind: SandboxFailureKind, message: string): SandboxResult => ({
      ok: false,
      kind,
      message,
      logs,
      toolCalls: toolCalls - callsBefore,
    });
    if (closed) return fail('error', 'Error: the sandbox session is closed.');
    try {
      for (const [name, value] of Object.entries(exec.variables ?? {})) {
        define(vm, name, toHandle(vm, value));
      }
      const result = await vm.evalCodeAsync(code, 'program.js');
      if (result.error !== undefined) {
        const error = vm.dump(result.error) as unknown;
        result.error.dispose();
        const message = errorText(error);
        return fail(
          timedOut
            ? 'timeout'
            : overCallLimit
              ? 'tool_call_limit'
              : /out of memory/i.test(message)
                ? 'memory'
                : 'error',
          message,
        );
      }
      const value = vm.dump(result.value) as unknown;
      result.value.dispose();
      const calls = toolCalls - callsBefore;
      // Set by SUBMIT during the evaluation (TypeScript cannot see the callback's assignment).
      const submit = submitted as { value: unknown } | undefined;
      return submit !== undefined
        ? { ok: true, value: submit.value, submitted: true, logs, toolCalls: calls }
        : { ok: true, value, submitted: false, logs, toolCalls: calls };
    } catch (e) {
      // The isolate itself gave up (e.g. out of memory while building an error): still a result.
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      return fail(timedOut ? 'timeout' : /memory/i.test(message) ? 'memory' : 'error', message);
    }
  };

  return {
    execute,
    get toolCalls() {
      return toolCalls;
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        vm.dispose();
        runtime.dispose();
      } catch {
        // A runtime that ran out of memory may refuse a clean dispose; the wasm instance is dropped anyway.
      }
    },
  };
}

/**
 * Runs untrusted JavaScript in a fresh QuickJS isolate (WebAssembly, via `quickjs-emscripten`):
 * its own heap and globals, no `require`, `process`, `import`, file system, network or timers.
 * Memory, stack, wall time and tool calls are bounded; a failure is a result, never a host crash.
 * The code's completion value is the result, unless it calls `SUBMIT(value)` (DSPy's convention),
 * which wins. Values cross the boundary as JSON. Every run gets a new WebAssembly instance, so
 * nothing persists between runs (a {@link SandboxSession} keeps state between executions).
 *
 * @example
 * ```ts
 * const r = await runInSandbox('const xs = [1, 2, 3]; SUBMIT({ answer: xs.reduce((a, b) => a + b) })');
 * if (r.ok) r.value; // { answer: 6 }
 * ```
 */
export async function runInSandbox(
  code: string,
  options: SandboxOptions = {},
): Promise<SandboxResult> {
  const session = await openSandboxSession(options);
  try {
    return await session.execute(code);
  } finally {
    session.close();
  }
}

function define(vm: QuickJSAsyncContext, name: string, handle: QuickJSHandle): void {
  vm.setProp(vm.global, name, handle);
  handle.dispose();
}

/** A host value as a VM value (through JSON, so nothing but data crosses). */
function toHandle(vm: QuickJSAsyncContext, value: unknown): QuickJSHandle {
  if (value === undefined) return vm.undefined;
  const json = JSON.stringify(value);
  const parsed = vm.evalCode(`(${json})`);
  if (parsed.error !== undefined) {
    parsed.error.dispose();
    return vm.newString(String(value));
  }
  return parsed.value;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

function errorText(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const e = error as { name?: unknown; message?: unknown };
    if (typeof e.message === 'string')
      return typeof e.name === 'string' ? `${e.name}: ${e.message}` : e.message;
  }
  return String(error);
}
