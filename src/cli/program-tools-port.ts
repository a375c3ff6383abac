import type { LoadedConfig } from '../config/index.js';
import type { ProgramTools } from '../contracts/index.js';

export type {
  ProgramTools,
  SynthesizeRequestView,
  SynthesizeResultView,
} from '../contracts/index.js';

/** Loads the programs module of a configuration and returns its {@link ProgramTools}. */
export type ProgramToolsFactory = (loaded: LoadedConfig) => Promise<ProgramTools>;
