export { createHttpApp } from './app.js';
export type { HttpAppOptions } from './app.js';
export { bearerMatches, isLoopback } from './auth.js';
export { HTTP_ERROR_STATUS, HttpError, errorReply } from './errors.js';
export { openApiDocument } from './openapi.js';
export type {
  HttpEvaluateRequest,
  HttpOptimizeRequest,
  HttpRunOptions,
  HttpRuntime,
  HttpStreamEvent,
  JobView,
  ProgramView,
  RunResultView,
} from './runtime-port.js';
export { startHttpServer } from './server.js';
export type { HttpServer, HttpServerOptions } from './server.js';
