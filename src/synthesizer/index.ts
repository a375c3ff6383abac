export { Synthesizer } from './synthesizer.js';
export type { SynthesisResult, SynthesizerOptions } from './synthesizer.js';
export { SynthesizerError } from './errors.js';
export type { SynthesizerErrorCode } from './errors.js';
