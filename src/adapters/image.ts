import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { inspect } from 'node:util';
import type { ContentPart } from '../lm/types.js';
import {
  pyJsonDumps,
  SignatureError,
  type FieldType,
  type Signature,
} from '../signatures/index.js';

/** DSPy's markers around a custom type's content parts inside formatted text (`dspy.Type`). */
export const CUSTOM_TYPE_START = '<<CUSTOM-TYPE-START-IDENTIFIER>>';
/** See {@link CUSTOM_TYPE_START}. */
export const CUSTOM_TYPE_END = '<<CUSTOM-TYPE-END-IDENTIFIER>>';

/** Image media types both OpenAI and Anthropic accept. */
export const IMAGE_MIME_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** Largest image accepted by default, in bytes (OpenAI's per-image limit: 20 MB). */
export const DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024;

const EXTENSION_MIME: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

/** OpenAI's `image_url.detail`: how finely the model looks at the image. */
export type ImageDetail = 'auto' | 'low' | 'high';

/** Options of every {@link Image} constructor. */
export interface ImageOptions {
  /** OpenAI's `detail` (sent in the `image_url` part; Anthropic has no equivalent). */
  detail?: ImageDetail;
  /** Largest image accepted, in bytes (default {@link DEFAULT_MAX_IMAGE_BYTES}). */
  maxBytes?: number;
}

/** Options of {@link Image.fromPath}. */
export interface ImageFileOptions extends ImageOptions {
  /** Media type of the file; by default taken from its extension (.png .jpg .jpeg .gif .webp). */
  mimeType?: string;
}

function invalid(message: string, details: Record<string, unknown> = {}): SignatureError {
  return new SignatureError(message, { code: 'invalid_value', details });
}

function checkMime(mime: string, what: string): void {
  if (!(IMAGE_MIME_TYPES as readonly string[]).includes(mime)) {
    throw invalid(
      `Unsupported image type "${mime}" for ${what}: use one of ${IMAGE_MIME_TYPES.join(', ')}.`,
      { mimeType: mime },
    );
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function checkSize(bytes: number, max: number, what: string): void {
  if (bytes > max) {
    throw invalid(
      `${what} is ${megabytes(bytes)}, over the ${megabytes(max)} limit (raise it with the maxBytes option).`,
      { bytes, maxBytes: max },
    );
  }
}

function checkDetail(detail: unknown): ImageDetail | undefined {
  if (detail === undefined) return undefined;
  if (detail === 'auto' || detail === 'low' || detail === 'high') return detail;
  throw invalid(`Image detail must be 'auto', 'low' or 'high', got ${JSON.stringify(detail)}.`);
}

/** A short form of a long string for error messages (a data URI can be megabytes). */
function preview(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** DSPy's `is_url`: an http, https or gs URL with a host. */
function isImageUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return ['http:', 'https:', 'gs:'].includes(u.protocol) && u.host !== '';
  } catch {
    return false;
  }
}

const DATA_URI = /^data:([^;,]+)((?:;[^;,]*)*),/;

/** Validates a `data:` URI: a supported image type, base64 content, within the size limit. */
function checkDataUri(uri: string, max: number): void {
  const m = DATA_URI.exec(uri);
  if (m === null) throw invalid(`Malformed image data URI: ${preview(uri)}`);
  checkMime(m[1] ?? '', 'a data URI');
  if (!(m[2] ?? '').split(';').includes('base64')) {
    throw invalid(`Image data URI must be base64-encoded: ${preview(uri)}`);
  }
  const payload = uri.length - m[0].length;
  checkSize(Math.floor((payload * 3) / 4), max, 'The image data URI');
}

/** Reads the first image part of a marker string (a saved DSPy demo holds its images that way). */
function fromMarker(text: string): { url: string; detail?: unknown } | undefined {
  const start = text.indexOf(CUSTOM_TYPE_START);
  const end = text.indexOf(CUSTOM_TYPE_END);
  if (start !== 0 || end < 0) return undefined;
  try {
    const parts = JSON.parse(text.slice(CUSTOM_TYPE_START.length, end)) as unknown;
    const first = Array.isArray(parts) ? (parts[0] as Partial<ContentPart> | undefined) : undefined;
    if (first?.type === 'image_url' && typeof first.image_url?.url === 'string') {
      return first.image_url;
    }
  } catch {
    // not a marker we wrote: fall through to the ordinary checks
  }
  return undefined;
}

/**
 * An image input (DSPy's `dspy.Image`): an http(s)/gs URL or a base64 `data:` URI, from a string,
 * bytes or a local file. As a signature input type (`'image: Image, question -> answer'`, or
 * `zodTypes.image`) it makes the user message a list of content parts, exactly as DSPy's adapters
 * do; providers receive OpenAI `image_url` parts or Anthropic `image` blocks. Fields typed `Image`
 * also accept a plain URL or data URI string, or `{ url }` (what a job payload carries).
 *
 * Bad input (an unsupported media type, a missing file, an image over `maxBytes`) throws a
 * `SignatureError` with code `invalid_value`.
 *
 * @example
 * ```ts
 * import { Image, Predict } from 'dspex';
 * const qa = new Predict('image: Image, question -> answer');
 * await qa.call({ image: Image.fromPath('cat.png'), question: 'What animal is this?' });
 * await qa.call({ image: new Image('https://example.com/cat.png', { detail: 'low' }), question: '…' });
 * ```
 */
export class Image {
  /** The image URL or `data:` URI sent to the provider. */
  readonly url: string;
  /** OpenAI's `detail`, when set. */
  readonly detail: ImageDetail | undefined;

  constructor(
    source: string | { url: string; detail?: ImageDetail } | Image,
    options: ImageOptions = {},
  ) {
    const url = typeof source === 'string' ? source : source.url;
    const detail = options.detail ?? (typeof source === 'string' ? undefined : source.detail);
    if (typeof url !== 'string') throw invalid('An Image needs a URL or a data URI string.');
    const trimmed = url.trim();
    if (trimmed.startsWith('data:'))
      checkDataUri(trimmed, options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES);
    else if (!isImageUrl(trimmed)) {
      throw invalid(
        `Unrecognized image string: ${preview(trimmed)}. Use an http(s) URL or a data URI; local files must be loaded with Image.fromPath().`,
      );
    }
    this.url = trimmed;
    this.detail = checkDetail(detail);
    Object.freeze(this);
  }

  /**
   * An image from raw bytes and their media type, base64-encoded into a data URI.
   *
   * @example
   * ```ts
   * const img = Image.fromBytes(await readFile('chart.png'), 'image/png');
   * ```
   */
  static fromBytes(bytes: Uint8Array, mimeType: string, options: ImageOptions = {}): Image {
    checkMime(mimeType, 'image bytes');
    checkSize(bytes.byteLength, options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES, 'The image');
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    return new Image(`data:${mimeType};base64,${data}`, options);
  }

  /**
   * A local image file, read and base64-encoded (DSPy's `Image.from_path`). The size is checked
   * before the file is read.
   *
   * @example
   * ```ts
   * const img = Image.fromPath('examples/data/shapes.png', { detail: 'low' });
   * ```
   */
  static fromPath(path: string, options: ImageFileOptions = {}): Image {
    const mime = options.mimeType ?? EXTENSION_MIME[extname(path).toLowerCase()];
    if (mime === undefined) {
      throw invalid(
        `Could not determine the image type of ${path}: name it .png, .jpg, .jpeg, .gif or .webp, or pass mimeType.`,
        { path },
      );
    }
    checkMime(mime, path);
    let bytes: Buffer;
    try {
      const size = statSync(path).size;
      checkSize(size, options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES, `Image file ${path}`);
      bytes = readFileSync(path);
    } catch (e) {
      if (e instanceof SignatureError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'file not found' : ((e as Error).message ?? String(e));
      throw new SignatureError(`Cannot read image file ${path}: ${reason}`, {
        code: 'invalid_value',
        cause: e,
        details: { path },
      });
    }
    return Image.fromBytes(bytes, mime, options);
  }

  /**
   * The value of an `Image`-typed field as an Image: an Image, a URL or data URI string, `{ url }`,
   * or the marker string a saved DSPy demo holds. Anything else is a readable error naming `field`.
   */
  static from(value: unknown, field = 'image'): Image {
    if (value instanceof Image) return value;
    if (typeof value === 'string') {
      const marked = fromMarker(value);
      return marked === undefined
        ? new Image(value)
        : new Image(marked.url, { detail: marked.detail as ImageDetail });
    }
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { url?: unknown }).url === 'string'
    ) {
      return new Image(value as { url: string; detail?: ImageDetail });
    }
    throw invalid(
      `Input \`${field}\` must be an Image, an image URL or data URI, or { url }; got ${value === null ? 'null' : typeof value}.`,
      { field },
    );
  }

  /** The content parts this image becomes (DSPy's `Image.format()`), in OpenAI's chat shape. */
  format(): ContentPart[] {
    const imageUrl =
      this.detail === undefined ? { url: this.url } : { url: this.url, detail: this.detail };
    return [{ type: 'image_url', image_url: imageUrl }];
  }

  /**
   * DSPy's serialised form: the parts between the custom-type markers. The adapters split user
   * messages at these markers, and saved demos keep images in this (DSPy's) shape.
   */
  toJSON(): string {
    return `${CUSTOM_TYPE_START}${pyJsonDumps(this.format())}${CUSTOM_TYPE_END}`;
  }

  toString(): string {
    return this.toJSON();
  }

  /** DSPy's `repr`: base64 content shortened to its length. */
  [inspect.custom](): string {
    const at = this.url.indexOf('base64,');
    if (at < 0) return `Image(url='${this.url}')`;
    const type = this.url.slice(0, at).split(';')[0]?.split('/').pop() ?? '';
    return `Image(url=data:image/${type};base64,<IMAGE_BASE_64_ENCODED(${this.url.length - at - 7})>)`;
  }
}

function asImages(type: FieldType, value: unknown, field: string): unknown {
  if (value === null || value === undefined) return value;
  if (type.native === 'image') return Image.from(value, field);
  if (type.kind === 'list' && type.item?.native === 'image' && Array.isArray(value)) {
    return value.map((v) => Image.from(v, field));
  }
  return value;
}

/**
 * A record whose `Image` and `list[Image]` input values are {@link Image}s: a URL, data URI or
 * `{ url }` (what a job payload carries) is converted, a bad one is a readable error. The record
 * is returned unchanged when the signature has no image inputs.
 */
export function withImageInputs(
  sig: Signature,
  record: Record<string, unknown>,
): Record<string, unknown> {
  let out = record;
  for (const f of sig.inputFields) {
    const t = f.type;
    if (t.native !== 'image' && !(t.kind === 'list' && t.item?.native === 'image')) continue;
    if (out === record) out = { ...record };
    out[f.name] = asImages(t, record[f.name], f.name);
  }
  return out;
}
