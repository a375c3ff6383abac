import { ModuleError } from '../errors.js';
import type { Predictor } from '../parameter.js';
import { JsonValueScanner } from './json-value-scanner.js';

/** One piece of a streamed output field (DSPy's `StreamResponse`). */
export interface StreamResponse {
  readonly type: 'field_chunk';
  /** Name of the predictor in the program (`predict1`, `cot.predict`). */
  readonly predictName: string;
  /** The output field being streamed. */
  readonly signatureFieldName: string;
  /** Text of this piece (may be empty on the last one). */
  readonly chunk: string;
  /** True on the field's final piece. */
  readonly isLastChunk: boolean;
}

/** Options of {@link StreamListener}. */
export interface StreamListenerOptions {
  /** The predictor to listen to; found automatically (unique field owner) when omitted. */
  predict?: Predictor;
  /** Its name in the program; filled in automatically with `predict`. */
  predictName?: string;
}

/** How the boundaries of a field look in one adapter's completion text. */
interface Markers {
  start: string;
  /** Matches the start of the next section (ending the field). */
  end: RegExp;
  /** First character of a possible start marker. */
  startIndicator: string;
  /** Suffixes that may be the beginning of an end marker split across tokens. */
  endPrefixes: readonly string[];
  /** Text whose presence means an end marker may be forming. */
  endContains: string;
  /** Where the field's text stops inside the buffered tail. */
  cut(buffer: string): number;
}

function markersFor(adapterName: string, field: string): Markers {
  if (adapterName === 'ChatAdapter') {
    return {
      start: `[[ ## ${field} ## ]]`,
      end: /\[\[ ## (\w+) ## \]\]/,
      startIndicator: '[',
      endPrefixes: ['[', '[[', '[[ ', '[[ #', '[[ ##'],
      endContains: '[[ ##',
      cut: (b) => indexOrEnd(b, '[['),
    };
  }
  if (adapterName === 'XMLAdapter') {
    return {
      start: `<${field}>`,
      end: new RegExp(`</${field}>`),
      startIndicator: '<',
      endPrefixes: ['<', '</'],
      endContains: '</',
      cut: (b) => indexOrEnd(b, `</${field}>`),
    };
  }
  if (adapterName === 'JSONAdapter') {
    // The end of a JSON value is found by scanning it (JsonValueScanner), not by a marker.
    return {
      start: `"${field}":`,
      end: /(?!)/,
      startIndicator: '"',
      endPrefixes: [],
      endContains: '',
      cut: (b) => b.length,
    };
  }
  throw new ModuleError(
    'invalid_argument',
    `Unsupported adapter for field streaming: ${adapterName}, please use ChatAdapter, JSONAdapter or XMLAdapter.`,
    { details: { adapter: adapterName } },
  );
}

function indexOrEnd(text: string, marker: string): number {
  const i = text.indexOf(marker);
  return i === -1 ? text.length : i;
}

/**
 * Captures the streamed text of one output field of one predictor (DSPy's `StreamListener`):
 * it watches the LM's token stream for the field's section marker (`[[ ## answer ## ]]` with
 * ChatAdapter, `<answer>` with XMLAdapter), emits the tokens inside the section and holds back
 * only the few tokens that might be the start of the next marker, so marker text never reaches
 * the user. With JSONAdapter it emits the raw JSON text of the field's value (quotes included, as
 * DSPy does) up to the value's end. A completion that arrives whole (a cache hit) emits nothing:
 * the final prediction carries the value.
 *
 * @example
 * ```ts
 * const run = streamify(program, { listeners: [new StreamListener('answer')] });
 * for await (const ev of run({ question })) if (ev instanceof Prediction) … else process.stdout.write(ev.chunk);
 * ```
 */
export class StreamListener {
  readonly signatureFieldName: string;
  predict: Predictor | undefined;
  predictName: string | undefined;

  private startQueue: string[] = [];
  private endQueue: string[] = [];
  /** Set once a JSONAdapter field starts. */
  private json: JsonValueScanner | undefined;
  /** Whether the field's section has started. */
  streamStart = false;
  /** Whether the field's section has ended. */
  streamEnd = false;
  /** Whether the completion arrived whole (nothing streamed). */
  cacheHit = false;

  constructor(signatureFieldName: string, options: StreamListenerOptions = {}) {
    this.signatureFieldName = signatureFieldName;
    this.predict = options.predict;
    this.predictName = options.predictName;
  }

  /** A listener for the same field and predictor with fresh state (one per stream). */
  fresh(): StreamListener {
    const opts: StreamListenerOptions = {};
    if (this.predict !== undefined) opts.predict = this.predict;
    if (this.predictName !== undefined) opts.predictName = this.predictName;
    return new StreamListener(this.signatureFieldName, opts);
  }

  /** Feeds one text token; returns a piece of the field when one is ready. */
  receive(text: string, adapterName = 'ChatAdapter'): StreamResponse | null {
    if (this.streamEnd || text === '') return null;
    const m = markersFor(adapterName, this.signatureFieldName);
    const message = text;
    const isJson = adapterName === 'JSONAdapter';

    if (!isJson && !this.streamStart && message.includes(m.start)) {
      const after = message.slice(message.indexOf(m.start) + m.start.length);
      if (m.end.test(after)) {
        // The whole section came in one piece (cache hit or an unsplit stream): nothing to stream.
        this.cacheHit = true;
        this.streamStart = true;
        this.streamEnd = true;
        return null;
      }
    }
    if (this.startQueue.length === 0 && !this.streamStart && message.includes(m.startIndicator)) {
      // As DSPy: the token that may open the marker is only queued; the check starts with the next
      // one (so a value arriving with its marker comes out together with the following token).
      this.startQueue.push(message);
      return null;
    }
    if (this.startQueue.length > 0 && !this.streamStart) {
      this.startQueue.push(message);
      return this.startIfComplete(m, isJson);
    }
    if (!this.streamStart) return null;
    return isJson ? this.onJsonText(message) : this.onFieldText(message, m);
  }

  /**
   * Ends a field whose completion stopped without an end marker: flushes the held-back text as
   * the last piece (an empty last piece when nothing is held back, so consumers always see
   * `isLastChunk`; DSPy emits nothing then).
   */
  finalize(): StreamResponse | null {
    if (this.streamEnd || !this.streamStart) return null;
    this.streamEnd = true;
    const rest = this.endQueue.join('').trimEnd();
    this.endQueue = [];
    return this.response(rest, true);
  }

  private startIfComplete(m: Markers, isJson: boolean): StreamResponse | null {
    const joined = this.startQueue.join('');
    if (joined.includes(m.start)) {
      this.streamStart = true;
      this.startQueue = [];
      const value = joined.slice(joined.indexOf(m.start) + m.start.length).trimStart();
      if (value === '') return null;
      return isJson ? this.onJsonText(value) : this.onFieldText(value, m);
    }
    if (!endsWithPrefixOf(joined.trim(), m.start)) this.startQueue = [];
    return null;
  }

  private onFieldText(text: string, m: Markers): StreamResponse | null {
    this.endQueue.push(text);
    let token: string | null = null;
    const buffered = this.endQueue.join('').trim();
    const mayBeEnd =
      m.endPrefixes.some((p) => buffered.endsWith(p)) || buffered.includes(m.endContains);
    if (!mayBeEnd) {
      // Trailing whitespace may be the gap before the next marker (which the parsed value drops),
      // so it is held back until more text follows; DSPy sends it.
      const all = this.endQueue.join('');
      token = all.trimEnd();
      this.endQueue = token.length < all.length ? [all.slice(token.length)] : [];
    } else if (this.endQueue.length > 10) {
      // Hold back at most 10 tokens: enough for any end marker split across tokens (DSPy's bound).
      token = this.endQueue.shift() ?? null;
    }
    if (m.end.test(buffered)) {
      this.streamEnd = true;
      const all = this.endQueue.join('');
      this.endQueue = [];
      token = ((token ?? '') + all.slice(0, m.cut(all))).trimEnd();
    }
    if ((token !== null && token !== '') || this.streamEnd)
      return this.response(token ?? '', this.streamEnd);
    return null;
  }

  /** JSONAdapter: emits the raw JSON text of the value (quotes included, as DSPy) until it ends. */
  private onJsonText(text: string): StreamResponse | null {
    this.json ??= new JsonValueScanner();
    const fresh = !this.json.started;
    const used = this.json.feed(text);
    // Whitespace between the key and the value is not part of the value.
    const piece = fresh ? text.slice(0, used).trimStart() : text.slice(0, used);
    if (this.json.done) {
      this.streamEnd = true;
      return this.response(piece.trimEnd(), true);
    }
    return piece.trim() === '' ? null : this.response(piece, false);
  }

  private response(chunk: string, isLast: boolean): StreamResponse {
    return {
      type: 'field_chunk',
      predictName: this.predictName ?? '',
      signatureFieldName: this.signatureFieldName,
      chunk,
      isLastChunk: isLast,
    };
  }
}

/** Whether some suffix of `text` is a prefix of `marker` (a marker may be forming). */
function endsWithPrefixOf(text: string, marker: string): boolean {
  for (let i = 1; i <= text.length; i++)
    if (marker.startsWith(text.slice(text.length - i))) return true;
  return false;
}
