export type { VectorHit, VectorRecord, VectorStore } from './vector-store.js';
export { MemoryVectorStore } from './memory-vector-store.js';
export { RetrievalError } from './retrieval-error.js';
export type { RetrievalErrorCode } from './retrieval-error.js';
export { Retrieve } from './retrieve.js';
export type { RetrieveOptions } from './retrieve.js';
export { KNN, knnText } from './knn.js';
export { hashingEmbedder, hashingVector, wordTokens } from './hashing-embedder.js';
export type { HashingEmbedderOptions } from './hashing-embedder.js';
