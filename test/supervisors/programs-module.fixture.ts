import { Predict, type Prediction } from '../../src/modules/index.js';

/** A programs module as users write it (DESIGN §5): default export name → Module, plus named metrics. */
export default { qa: new Predict('question -> answer'), summarize: new Predict('text -> summary') };

export const metrics = {
  hasAnswer: (_example: unknown, prediction: Prediction) =>
    typeof prediction['answer'] === 'string',
};
