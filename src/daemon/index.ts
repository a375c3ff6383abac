export type {
  DaemonRuntime,
  RuntimeEventView,
  RuntimeSnapshotView,
  TreeNodeView,
} from './runtime-port.js';
export { startDaemon } from './daemon.js';
export type { Daemon, DaemonConfig, DaemonOptions } from './daemon.js';
export { startAdminServer } from './admin-server.js';
export type { AdminServer, AdminServerOptions, DaemonStatus } from './admin-server.js';
export { publicSnapshot, startHeartbeat } from './heartbeat.js';
export type { Heartbeat, HeartbeatOptions, NodeHeartbeat } from './heartbeat.js';
export { readClusterNodes } from './cluster-view.js';
export { nodeKey, nodesSetKey } from './cluster-keys.js';
export {
  STATE_DIR,
  isProcessAlive,
  listLocalNodes,
  readStateFile,
  removeStateFile,
  stateFilePath,
  writeStateFile,
} from './state-file.js';
export type { DaemonState, LocalNodes } from './state-file.js';
export { SHUTDOWN_SIGNALS, forcedExitCode, onShutdownSignals } from './shutdown-signals.js';
export type { ShutdownSignal, SignalSource } from './shutdown-signals.js';
export { DaemonError } from './daemon-error.js';
export type { DaemonErrorCode } from './daemon-error.js';
export { toJsonText } from './json-safe.js';
export {
  reloadChannel,
  reloadReplyChannel,
  requestClusterReload,
  startReloadListener,
} from './reload-control.js';
export type { NodeReloadReply } from './reload-control.js';
export type { ProgramsVersionView, ReloadResultView } from './runtime-port.js';
