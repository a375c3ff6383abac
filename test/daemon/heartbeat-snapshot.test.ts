import { describe, expect, it } from 'vitest';
import { publicSnapshot, type RuntimeSnapshotView } from '../../src/daemon/index.js';

describe('publicSnapshot', () => {
  it('keeps the client pool’s per-model circuit and load, and nothing else of its details', () => {
    const snapshot = {
      nodeId: 'n1',
      mode: 'redis',
      startedAt: 1,
      tree: {
        id: 'root',
        kind: 'supervisor',
        status: 'running',
        restarts: 0,
        children: [
          {
            id: 'client-pool',
            kind: 'worker',
            status: 'running',
            restarts: 0,
            details: {
              limits: { rpm: 60 },
              keys: [
                {
                  key: 'openai:gpt-4o-mini',
                  circuit: 'open',
                  inFlight: 2,
                  lastError: 'sk-live-key rejected',
                },
              ],
            },
          },
        ],
      },
    } as unknown as RuntimeSnapshotView;
    const pool = publicSnapshot(snapshot).tree.children?.[0];
    expect(pool?.details).toEqual({
      keys: [{ key: 'openai:gpt-4o-mini', circuit: 'open', inFlight: 2 }],
    });
    expect(JSON.stringify(publicSnapshot(snapshot))).not.toContain('sk-live-key');
  });

  it('keeps a supervisor’s count of crashed children for the other nodes’ dashboards', () => {
    const snapshot: RuntimeSnapshotView = {
      nodeId: 'n1',
      mode: 'redis',
      startedAt: 1,
      tree: {
        id: 'program-workers',
        kind: 'supervisor',
        status: 'running',
        restarts: 0,
        crashes: 3,
        children: [{ id: 'program-worker', kind: 'worker', status: 'running', restarts: 0 }],
      },
    };
    const tree = publicSnapshot(snapshot).tree;
    expect(tree).toMatchObject({ restarts: 0, crashes: 3 });
    expect(tree.children?.[0]).not.toHaveProperty('crashes');
  });
});
