/**
 * Programs module of the dashboard's Pareto-front test (config `programs`): the simulated task of
 * the variable system (test/variables/simulated-task.ts), its models served by the OpenAI fixture
 * at DSPEX_TEST_LM_URL, and its metric by name (`match`) so space searches run as jobs.
 */
import { SimQA, answerMatches, items } from '../variables/simulated-task.js';

export const metrics = { match: answerMatches };

export default {
  qa: new SimQA(process.env.DSPEX_TEST_LM_URL ?? 'http://127.0.0.1:9', items(4, 1), {
    models: ['sim-small', 'sim-large'],
    temperatures: [0],
  }),
};
