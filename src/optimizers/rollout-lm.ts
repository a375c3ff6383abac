// The rollout LM moved to src/modules (BestOfN and Refine need it below the optimizers' layer).
export { rolloutLm } from '../modules/rollout-lm.js';
