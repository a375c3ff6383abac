import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Image, JSONAdapter } from '../../src/adapters/index.js';
import { anthropic, MemoryCache, openai } from '../../src/lm/index.js';
import { Predict, context } from '../../src/modules/index.js';
import { SignatureError, signature, zodTypes } from '../../src/signatures/index.js';
import { startAnthropicFixture, startOpenAIFixture, type LMFixture } from '../fixtures/index.js';

// Image inputs on the wire, through the official SDKs against the local fixtures: what the
// request body holds is asserted on what the fixture received.

const PNG_PATH = new URL('../../examples/data/red-circle.png', import.meta.url);
const PNG = readFileSync(PNG_PATH);
const DATA = `data:image/png;base64,${PNG.toString('base64')}`;
const URL_IMAGE = 'https://example.com/cat.png';
const SIG = 'image: Image, question -> answer';

let openaiFx: LMFixture;
let anthropicFx: LMFixture;
beforeAll(async () => {
  [openaiFx, anthropicFx] = await Promise.all([startOpenAIFixture(), startAnthropicFixture()]);
});
afterAll(async () => {
  await Promise.all([openaiFx.close(), anthropicFx.close()]);
});
beforeEach(() => {
  openaiFx.reset();
  anthropicFx.reset();
});

const gpt = (cache: MemoryCache | false = false) =>
  openai({ model: 'gpt-4o-mini', apiKey: 't', baseURL: openaiFx.url, cache });
const claude = () =>
  anthropic({ model: 'claude-sonnet-4-5', apiKey: 't', baseURL: anthropicFx.url, cache: false });

describe('Image inputs over the OpenAI SDK', () => {
  it('the user message is DSPy content parts with image_url parts (URL, data URI, detail)', async () => {
    const predict = new Predict(SIG, {
      demos: [{ image: URL_IMAGE, question: 'q0', answer: 'a cat' }],
    });
    const image = Image.fromPath(PNG_PATH.pathname, { detail: 'low' });
    const pred = await context({ lm: gpt() }, () =>
      predict.call({ image, question: 'What shape?' }),
    );
    expect(typeof pred.answer).toBe('string');
    const messages = openaiFx.requests[0]?.body.messages;
    expect(messages[1]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: '[[ ## image ## ]]\n' },
        { type: 'image_url', image_url: { url: URL_IMAGE } },
        { type: 'text', text: '\n\n[[ ## question ## ]]\nq0' },
      ],
    });
    expect(messages[3].content[1]).toEqual({
      type: 'image_url',
      image_url: { url: DATA, detail: 'low' },
    });
    expect(messages[3].content[2].text).toMatch(/^\n\n\[\[ ## question ## \]\]\nWhat shape\?/);
  });

  it('a list of images from a zod signature and the JSONAdapter reach the SDK in order', async () => {
    const sig = signature({
      inputs: { images: z.array(zodTypes.image), question: z.string() },
      outputs: { answer: z.string() },
    });
    await context({ lm: gpt(), adapter: new JSONAdapter() }, () =>
      new Predict(sig).call({ images: [URL_IMAGE, { url: DATA }], question: 'Same?' }),
    );
    const parts = openaiFx.requests[0]?.body.messages[1].content as { type: string }[];
    expect(parts.map((p) => p.type)).toEqual(['text', 'image_url', 'text', 'image_url', 'text']);
  });

  it('the cache key includes the image content: another image is another request', async () => {
    const cache = new MemoryCache();
    const ask = (image: unknown) =>
      context({ lm: gpt(cache) }, () => new Predict(SIG).call({ image, question: 'What shape?' }));
    await ask(DATA);
    await ask(DATA);
    expect(openaiFx.requests).toHaveLength(1);
    const other = Image.fromBytes(Buffer.concat([PNG, Buffer.from([0])]), 'image/png');
    await ask(other);
    expect(openaiFx.requests).toHaveLength(2);
  });

  it('a bad image input fails the call with a readable error before any request', async () => {
    await expect(
      context({ lm: gpt() }, () => new Predict(SIG).call({ image: '/tmp/cat.png', question: 'q' })),
    ).rejects.toThrow(/Unrecognized image string: \/tmp\/cat.png.*Image.fromPath/);
    await expect(
      context({ lm: gpt() }, () => new Predict(SIG).call({ image: 42, question: 'q' })),
    ).rejects.toThrow(
      'Input `image` must be an Image, an image URL or data URI, or { url }; got number.',
    );
    expect(openaiFx.requests).toHaveLength(0);
  });
});

describe('Image inputs over the Anthropic SDK', () => {
  it('image parts become image blocks: base64 with its media type, or a url source', async () => {
    const predict = new Predict('images: list[Image], question -> answer');
    await context({ lm: claude() }, () =>
      predict.call({ images: [new Image(DATA), new Image(URL_IMAGE)], question: 'Same?' }),
    );
    const body = anthropicFx.requests[0]?.body;
    expect(typeof body.system).toBe('string');
    const content = body.messages[0].content as Record<string, unknown>[];
    expect(content[0]).toEqual({ type: 'text', text: '[[ ## images ## ]]\n["' });
    expect(content[1]).toEqual({
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') },
    });
    expect(content[2]).toEqual({ type: 'text', text: '", "' });
    expect(content[3]).toEqual({ type: 'image', source: { type: 'url', url: URL_IMAGE } });
    expect(String(content[4]?.['text'])).toContain('[[ ## question ## ]]\nSame?');
  });
});

describe('Image construction rejects bad input with readable errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dspex-image-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a local file into a base64 data URI with the type from its extension', () => {
    const path = join(dir, 'copy.PNG');
    writeFileSync(path, PNG);
    expect(Image.fromPath(path).url).toBe(DATA);
  });

  it.each([
    [
      'an unsupported data URI type',
      () => new Image('data:image/bmp;base64,Qk0='),
      /Unsupported image type "image\/bmp" for a data URI: use one of image\/png, image\/jpeg, image\/gif, image\/webp\./,
    ],
    [
      'a data URI that is not base64',
      () => new Image('data:image/png,abc'),
      /must be base64-encoded/,
    ],
    [
      'bytes of an unsupported type',
      () => Image.fromBytes(PNG, 'image/tiff'),
      /Unsupported image type "image\/tiff" for image bytes/,
    ],
    [
      'a missing file',
      () => Image.fromPath(join('/nonexistent', 'cat.png')),
      /Cannot read image file \/nonexistent\/cat.png: file not found/,
    ],
    [
      'a file of unknown type',
      () => Image.fromPath('notes.txt'),
      /Could not determine the image type of notes.txt/,
    ],
    [
      'a file over the limit',
      () => Image.fromPath(PNG_PATH.pathname, { maxBytes: 100 }),
      /is 0.0 MB, over the 0.0 MB limit/,
    ],
    [
      'bytes over the limit',
      () =>
        Image.fromBytes(new Uint8Array(3 * 1024 * 1024), 'image/png', {
          maxBytes: 2 * 1024 * 1024,
        }),
      /The image is 3.0 MB, over the 2.0 MB limit \(raise it with the maxBytes option\)\./,
    ],
    [
      'an unknown detail',
      () => new Image(URL_IMAGE, { detail: 'max' as 'low' }),
      /Image detail must be 'auto', 'low' or 'high', got "max"/,
    ],
  ])('%s', (_what, make, message) => {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as SignatureError).code).toBe('invalid_value');
    expect((error as Error).message).toMatch(message);
  });

  it('a directory named like an image is an unreadable file, not a crash', () => {
    const path = join(dir, 'folder.png');
    mkdirSync(path);
    expect(() => Image.fromPath(path)).toThrow(
      `Cannot read image file ${path}: EISDIR: illegal operation on a directory, read`,
    );
  });
});
