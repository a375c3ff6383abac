import { MemoryVectorStore } from '../../src/retrieval/index.js';
import { vectorStoreConformance } from './vector-store-conformance.js';

vectorStoreConformance('MemoryVectorStore', () =>
  Promise.resolve({ store: new MemoryVectorStore() }),
);
