import { MemoryStore } from '../../src/store/index.js';
import { ManualClock, sequentialIds } from './manual-clock.js';
import { describeStoreConformance } from './store-conformance.js';

describeStoreConformance(
  'MemoryStore',
  async () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ clock, generateId: sequentialIds() });
    // One process, one store: a "second node" is the same instance.
    return { store, clock, peer: () => store, close: () => store.close() };
  },
  { propertyRuns: 100 },
);
