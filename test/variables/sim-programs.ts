/**
 * A programs module (config `programs`) serving the simulated task of simulated-task.ts through
 * the OpenAI fixture at `DSPEX_TEST_LM_URL`: `qa` has 16 configurations (2 strategies × 2 models ×
 * 2 instructions × 2 demo counts, temperature fixed at 0), and the `sim_match` metric.
 */
import { SimQA, answerMatches, items } from './simulated-task.js';

const baseURL = process.env['DSPEX_TEST_LM_URL'];
if (baseURL === undefined || baseURL === '')
  throw new Error('sim-programs.ts needs DSPEX_TEST_LM_URL (an OpenAI fixture URL)');

export const metrics = { sim_match: answerMatches };

export default {
  qa: new SimQA(baseURL, items(4, 1), { models: ['sim-small', 'sim-large'], temperatures: [0] }),
};
