export { DspexError, isDspexError } from './dspex-error.js';
