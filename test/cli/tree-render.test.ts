import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatStateValue,
  renderNodeHeader,
  renderTree,
} from '../../src/cli/index.js';
import type { TreeNodeView } from '../../src/daemon/index.js';

const t0 = 1_700_000_000_000;
const tree: TreeNodeView = {
  id: 'root',
  kind: 'supervisor',
  status: 'running',
  restarts: 0,
  startedAt: t0,
  children: [
    {
      id: 'registries',
      kind: 'supervisor',
      status: 'running',
      restarts: 0,
      startedAt: t0,
      children: [
        {
          id: 'schema-registry',
          kind: 'worker',
          status: 'running',
          state: 'ready',
          restarts: 2,
          inFlight: 0,
          startedAt: t0 + 60_000,
        },
        {
          id: 'variable-registry',
          kind: 'worker',
          status: 'restarting',
          restarts: 3,
          inFlightCalls: 1,
        },
      ],
    },
    {
      id: 'program-workers',
      kind: 'supervisor',
      status: 'running',
      restarts: 0,
      inFlight: 2,
      startedAt: t0,
      children: [],
    },
  ],
};

describe('renderTree', () => {
  it('draws the hierarchy with kind, status, state, restarts, in-flight work and uptime in columns', () => {
    expect(renderTree(tree, t0 + 125_000)).toBe(
      [
        'root                     supervisor  running     restarts 0  up 2m 5s',
        '├─ registries            supervisor  running     restarts 0  up 2m 5s',
        '│  ├─ schema-registry    worker      running     state ready  restarts 2  in-flight 0  up 1m 5s',
        '│  └─ variable-registry  worker      restarting  restarts 3  in-flight 1',
        '└─ program-workers       supervisor  running     restarts 0  in-flight 2  up 2m 5s',
      ].join('\n'),
    );
  });

  it('the header names the node, mode, status, pid, uptime, heartbeat age and programs', () => {
    const header = renderNodeHeader(
      {
        nodeId: 'n1',
        mode: 'redis',
        status: 'ok',
        pid: 42,
        hostname: 'h',
        programs: ['qa', 'summarize'],
        heartbeatAt: t0 + 9_000,
      },
      { nodeId: 'n1', mode: 'redis', startedAt: t0, tree },
      t0 + 10_000,
    );
    expect(header).toBe(
      'node n1  mode redis  status ok  pid 42@h  up 10s  heartbeat 1s ago  programs qa, summarize',
    );
  });
});

describe.each([
  [0, '0s'],
  [59_999, '59s'],
  [61_000, '1m 1s'],
  [3_600_000 + 120_000, '1h 2m'],
  [90_000_000, '1d 1h'],
  [-5, '0s'],
])('formatDuration(%i)', (ms, text) => {
  it(`is ${text}`, () => expect(formatDuration(ms)).toBe(text));
});

describe('formatStateValue', () => {
  it.each([
    ['idle', 'idle'],
    [{ running: 'busy' }, 'running.busy'],
    [{ a: { b: 'c' }, d: 'e' }, 'a.b.c,d.e'],
    [undefined, ''],
  ])('%j → %s', (value, text) => expect(formatStateValue(value)).toBe(text));
});
