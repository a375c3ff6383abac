import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/index.js';
import type { ManualClock } from '../manual-clock.js';
import { expectStoreError, type ConformanceContext } from './context.js';

export function describeProgramConformance(ctx: ConformanceContext): void {
  describe('programs', () => {
    let store: Store;
    let clock: ManualClock;
    beforeEach(() => {
      store = ctx.store;
      clock = ctx.clock;
    });

    it('creates a draft with no versions, revision 1 and clock timestamps', async () => {
      const p = await store.programs.create({ name: 'qa', description: 'question answering' });
      expect(p).toEqual({
        name: 'qa',
        description: 'question answering',
        status: 'draft',
        versions: [],
        activeVersion: null,
        revision: 1,
        createdAt: clock.iso(),
        updatedAt: clock.iso(),
      });
      expect(await store.programs.get('qa')).toEqual(p);
    });

    it('rejects a duplicate name with conflict', async () => {
      await store.programs.create({ name: 'qa' });
      const e = await expectStoreError(store.programs.create({ name: 'qa' }), 'conflict');
      expect(e.details).toMatchObject({ record: 'program', id: 'qa' });
    });

    it('reports an unknown name as not_found from get and undefined from find', async () => {
      const e = await expectStoreError(store.programs.get('nope'), 'not_found');
      expect(e.details).toMatchObject({ record: 'program', id: 'nope' });
      expect(await store.programs.find('nope')).toBeUndefined();
      await expectStoreError(store.programs.update('nope', { description: 'x' }), 'not_found');
    });

    it('publishes versions in order, numbering them 1, 2, … unless named, and keeps the state intact', async () => {
      await store.programs.create({ name: 'qa' });
      const state = {
        predictors: {
          answer: {
            demos: [{ question: 'q', answer: 'a' }],
            signature: { instructions: 'Be brief.' },
          },
        },
      };
      await store.programs.publishVersion('qa', { state, note: 'first' });
      clock.advance(1000);
      await store.programs.publishVersion('qa', { state: { n: 2 } });
      const p = await store.programs.publishVersion('qa', {
        version: 'mipro-7',
        state: [1, 'two', null, true],
      });
      expect(p.versions.map((v) => v.version)).toEqual(['1', '2', 'mipro-7']);
      expect(p.versions[0]).toEqual({
        version: '1',
        state,
        createdAt: new Date(Date.UTC(2026, 0, 1, 12)).toISOString(),
        note: 'first',
      });
      expect(p.status).toBe('draft');
      expect(p.activeVersion).toBeNull();
      expect(p.revision).toBe(4);
      expect(await store.programs.getVersion('qa', 'mipro-7')).toMatchObject({
        state: [1, 'two', null, true],
      });
    });

    it('rejects publishing an existing version with conflict', async () => {
      await store.programs.create({ name: 'qa' });
      await store.programs.publishVersion('qa', { version: 'v1', state: {} });
      const e = await expectStoreError(
        store.programs.publishVersion('qa', { version: 'v1', state: {} }),
        'conflict',
      );
      expect(e.details).toMatchObject({ version: 'v1' });
      expect((await store.programs.get('qa')).versions).toHaveLength(1);
    });

    it('activates a published version and serves it from getVersion', async () => {
      await store.programs.create({ name: 'qa' });
      await store.programs.publishVersion('qa', { state: { v: 1 } });
      await store.programs.publishVersion('qa', { state: { v: 2 } });
      let p = await store.programs.activate('qa', '1');
      expect(p).toMatchObject({ status: 'active', activeVersion: '1' });
      expect((await store.programs.getVersion('qa')).state).toEqual({ v: 1 });
      p = await store.programs.activate('qa', '2');
      expect(p).toMatchObject({ status: 'active', activeVersion: '2' });
      expect((await store.programs.getVersion('qa')).state).toEqual({ v: 2 });
    });

    it('refuses to activate an unpublished version with not_found and leaves the program unchanged', async () => {
      const created = await store.programs.create({ name: 'qa' });
      const e = await expectStoreError(store.programs.activate('qa', '9'), 'not_found');
      expect(e.details).toMatchObject({ id: 'qa', version: '9' });
      expect(await store.programs.get('qa')).toEqual(created);
      await expectStoreError(store.programs.getVersion('qa'), 'not_found');
    });

    it('names the missing version, its program and the stored versions in getVersion errors', async () => {
      await store.programs.create({ name: 'qa' });
      await store.programs.publishVersion('qa', { version: 'v1', state: {} });
      const missing = await expectStoreError(store.programs.getVersion('qa', 'v999'), 'not_found');
      expect(missing.message).toBe(
        'version "v999" of program "qa" not found; stored versions: "v1"',
      );
      const none = await expectStoreError(store.programs.getVersion('ghost', 'v1'), 'not_found');
      expect(none.message).toBe(
        'version "v1" of program "ghost" not found; it has no stored versions',
      );
      const inactive = await expectStoreError(store.programs.getVersion('qa'), 'not_found');
      expect(inactive.message).toBe('program "qa" has no active version; stored versions: "v1"');
    });

    it('activates the latest version when a draft is set active by status, and refuses a draft with none', async () => {
      await store.programs.create({ name: 'empty' });
      const e = await expectStoreError(
        store.programs.update('empty', { status: 'active' }),
        'invalid_transition',
      );
      expect(e.details).toMatchObject({
        from: 'draft',
        to: 'active',
        reason: 'no version published',
      });
      await store.programs.create({ name: 'qa' });
      await store.programs.publishVersion('qa', { state: 1 });
      await store.programs.publishVersion('qa', { state: 2 });
      expect(await store.programs.update('qa', { status: 'active' })).toMatchObject({
        status: 'active',
        activeVersion: '2',
      });
    });

    it('freezes an archived program: no version, activation or status change', async () => {
      await store.programs.create({ name: 'qa' });
      await store.programs.publishVersion('qa', { state: 1 });
      await store.programs.activate('qa', '1');
      const archived = await store.programs.update('qa', { status: 'archived' });
      expect(archived.status).toBe('archived');
      const e1 = await expectStoreError(store.programs.activate('qa', '1'), 'invalid_transition');
      expect(e1.details).toMatchObject({
        record: 'program',
        id: 'qa',
        from: 'archived',
        to: 'active',
      });
      const e2 = await expectStoreError(
        store.programs.publishVersion('qa', { state: 2 }),
        'invalid_transition',
      );
      expect(e2.details).toMatchObject({ from: 'archived', to: 'archived' });
      await expectStoreError(
        store.programs.update('qa', { status: 'draft' }),
        'invalid_transition',
      );
      await expectStoreError(
        store.programs.update('qa', { description: 'late' }),
        'invalid_transition',
      );
      expect(await store.programs.get('qa')).toEqual(archived);
    });

    it('names from and to in the message of an illegal transition', async () => {
      await store.programs.create({ name: 'qa' });
      await store.programs.publishVersion('qa', { state: 1 });
      await store.programs.activate('qa', '1');
      const e = await expectStoreError(
        store.programs.update('qa', { status: 'draft' }),
        'invalid_transition',
      );
      expect(e.message).toContain('active → draft');
      expect(e.details).toEqual({ record: 'program', id: 'qa', from: 'active', to: 'draft' });
    });

    it('lists programs by status', async () => {
      for (const name of ['a', 'b', 'c']) await store.programs.create({ name });
      await store.programs.update('b', { status: 'archived' });
      expect(
        (await store.programs.list({ status: 'draft', order: 'asc' })).items.map((p) => p.name),
      ).toEqual(['a', 'c']);
      expect((await store.programs.list({ status: 'archived' })).items.map((p) => p.name)).toEqual([
        'b',
      ]);
      expect((await store.programs.list()).items).toHaveLength(3);
    });
  });
}
