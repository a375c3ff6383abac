export { REDACTED_PATHS, createLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { RuntimeMetrics } from './metrics.js';
