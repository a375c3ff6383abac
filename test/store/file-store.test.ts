import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../src/store/index.js';
import { expectStoreError } from './conformance/context.js';
import { ManualClock, sequentialIds } from './manual-clock.js';
import { describeStoreConformance } from './store-conformance.js';

describeStoreConformance(
  'FileStore',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspex-file-store-'));
    const path = join(dir, 'store.json');
    const clock = new ManualClock();
    const ids = sequentialIds();
    const store = new FileStore({ path, clock, generateId: ids });
    // A second handle on the same file, as a second command of the same folder holds.
    const peer = new FileStore({ path, clock, generateId: ids });
    return {
      store,
      clock,
      peer: () => peer,
      close: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { propertyRuns: 20 },
);

describe('FileStore file handling', () => {
  it('keeps records for a later store on the same file (a later command)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspex-file-store-'));
    try {
      const path = join(dir, 'nested', 'store.json');
      await new FileStore({ path }).datasets.add({ name: 'qa', examples: [{ q: 'a' }] });
      const later = new FileStore({ path });
      expect((await later.datasets.get('qa')).version).toBe('v1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a file that is not a store as corrupt_record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspex-file-store-'));
    try {
      const path = join(dir, 'store.json');
      writeFileSync(path, 'not json');
      await expectStoreError(new FileStore({ path }).datasets.find('qa'), 'corrupt_record');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dataset records written before hashes existed', () => {
  it('still read, and adding their examples again finds them by their computed hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspex-file-store-'));
    try {
      const path = join(dir, 'store.json');
      const old = {
        name: 'qa',
        version: '1',
        examples: [{ q: 'a' }],
        createdAt: '2026-01-01T00:00:00.000Z',
      };
      const key = 'dataset:qa@1';
      const member = `${String(Date.parse(old.createdAt)).padStart(15, '0')}|${key}`;
      writeFileSync(
        path,
        JSON.stringify({
          records: { [key]: { json: JSON.stringify(old), revision: 1 } },
          strings: {},
          indexes: { 'dataset:all': [member], 'dataset:name:qa': [member] },
        }),
      );
      const store = new FileStore({ path });
      expect(await store.datasets.get('qa', '1')).toEqual(old);
      expect(await store.datasets.add({ name: 'qa', examples: [{ q: 'a' }] })).toEqual({
        dataset: old,
        created: false,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
