/**
 * A support-ticket triage pipeline: clean the text, check it, classify it with a small model and
 * fall back to a larger one when its confidence (an ML type: a float in [0, 1]) is too low, then
 * draft a reply. The pipeline is a Module: it is called, saved and drawn like any program.
 *
 *   npx tsx examples/triage-pipeline.ts                  # offline: scripted DummyLMs
 *   OPENAI_API_KEY=sk-... npx tsx examples/triage-pipeline.ts
 */
import { DummyLM, Predict, pipeline, toMermaid } from 'dspex';
import { lmFromEnv } from './lm-from-env.js';

const { lm, dummy, describe } = lmFromEnv({});
console.log(`LM: ${describe}`);

// Offline, the small model is unsure (0.4) and the larger one is sure: the fallback is taken.
const small = dummy ? new DummyLM([{ category: 'billing', confidence: '0.4' }]) : lm;
const large = dummy
  ? new DummyLM([
      { category: 'bug', confidence: '0.92' },
      { reply: 'Sorry about the crash: a fix ships this week.' },
    ])
  : lm;

const CLASSIFY = 'text -> category: Literal["bug", "billing", "other"], confidence: confidence';

const triage = pipeline<{ ticket: string }>('triage')
  .transform('clean', (s) => ({ text: s.ticket.trim().replace(/\s+/g, ' ') }))
  .validate('nonEmpty', (s) => s.text.length > 0 || 'the ticket is empty')
  .predict('classify', new Predict(CLASSIFY, { lm: small }), {
    check: (p) => p.confidence >= 0.7 || 'confidence below 0.7',
    fallback: new Predict(CLASSIFY, { lm: large }),
  })
  .predict('reply', new Predict('text, category -> reply', { lm: large }));

const result = await triage.call({ ticket: '  The app   crashes when I open settings ' });
console.log(`category: ${result.category} (confidence ${result.confidence})`);
console.log(`reply: ${result.reply}`);
console.log(
  `predictors: ${triage
    .namedPredictors()
    .map(([name]) => name)
    .join(', ')}`,
);
console.log(toMermaid(triage));
