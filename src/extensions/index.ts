export {
  EXTENSION_KINDS,
  ExtensionRegistry,
  adapterOf,
  defineExtensions,
  unknownExtension,
} from './extensions.js';
export type {
  AdapterExtension,
  BuiltinNames,
  ExtensionKind,
  Extensions,
  LMExtension,
  ModuleExtension,
  OptimizerExtension,
  OptimizerExtensionContext,
  Registration,
} from './extensions.js';
export { ExtensionError } from './errors.js';
export type { ExtensionErrorCode } from './errors.js';
