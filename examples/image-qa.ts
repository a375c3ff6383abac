/**
 * Image inputs (DSPy's `dspy.Image`): a predictor whose signature takes an `Image`, fed a local PNG
 * (read and base64-encoded) and an image URL. The user message becomes content parts — text, image,
 * text — exactly as DSPy's adapters build it; OpenAI receives `image_url` parts, Anthropic `image`
 * blocks. A demo holding an image saves in DSPy's shape and loads back.
 *
 *   npx tsx examples/image-qa.ts                                   # offline, scripted DummyLM
 *   OPENAI_API_KEY=sk-... DSPEX_MODEL=gpt-4o-mini npx tsx examples/image-qa.ts
 */
import { fileURLToPath } from 'node:url';
import { ChatAdapter, Image, Predict, context, type ContentPart } from 'dspex';
import { lmFromEnv } from './lm-from-env.js';

const { lm, describe } = lmFromEnv({
  'What shape': { answer: 'A red circle on a white background.' },
});
console.log(`LM: ${describe}`);

const look = new Predict('image: Image, question -> answer');
const circle = Image.fromPath(fileURLToPath(new URL('./data/red-circle.png', import.meta.url)), {
  detail: 'low',
});
// A demo with an image (a URL: never fetched by dspex, the provider reads it).
look.demos = [
  {
    image: new Image(
      'https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png',
    ),
    question: 'What is shown?',
    answer: 'Two dice.',
  },
];

const question = 'What shape and colour is shown?';
const pred = await context({ lm }, () => look.call({ image: circle, question }));
console.log(`answer: ${String(pred.answer)}`);

// What the adapter sends: the last user message as content parts.
const messages = new ChatAdapter().format(look.signature, look.demos, { image: circle, question });
const parts = messages[messages.length - 1]?.content as ContentPart[];
console.log(`user message parts: ${parts.map((p) => p.type).join(', ')}`);

// Saved state keeps the demo image in DSPy's marker form; a reloaded predictor answers the same.
const saved = look.dumpState();
console.log(`saved demo image: ${String(saved.demos[0]?.['image']).slice(0, 75)}…`);
const copy = new Predict('image: Image, question -> answer');
copy.loadState(JSON.parse(JSON.stringify(saved)));
const again = await context({ lm }, () => copy.call({ image: circle, question }));
console.log(`reloaded: ${String(again.answer)}`);

// Bad input is a readable error, before any request.
for (const bad of [
  () => Image.fromPath('missing.png'),
  () => new Image('data:image/bmp;base64,Qk0='),
]) {
  try {
    bad();
  } catch (e) {
    console.log(`rejected: ${(e as Error).message}`);
  }
}
