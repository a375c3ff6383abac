/**
 * Finds where one JSON value ends while its text arrives in pieces: strings end at their closing
 * quote (escapes honoured), objects and arrays when their brackets balance, numbers and literals
 * at the next delimiter. Used to stream a JSONAdapter field without partial-JSON parsing.
 * @internal
 */
export class JsonValueScanner {
  /** Whether the value's first character has been seen. */
  started = false;
  private kind: 'string' | 'container' | 'scalar' = 'scalar';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Whether the value is complete. */
  done = false;

  /**
   * Consumes `text`; returns how many of its characters belong to the value (leading whitespace
   * before the value included). After the value ends the rest is not consumed.
   */
  feed(text: string): number {
    for (let i = 0; i < text.length; i++) {
      if (this.done) return i;
      const ch = text[i] as string;
      if (!this.started) {
        if (/\s/.test(ch)) continue;
        this.started = true;
        if (ch === '"') {
          this.kind = 'string';
          this.inString = true;
        } else if (ch === '{' || ch === '[') {
          this.kind = 'container';
          this.depth = 1;
        }
        continue;
      }
      if (this.kind === 'scalar') {
        if (ch === ',' || ch === '}' || ch === ']' || /\s/.test(ch)) {
          this.done = true;
          return i;
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') {
          this.inString = false;
          if (this.kind === 'string') {
            this.done = true;
            return i + 1;
          }
        }
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') this.depth++;
      else if (ch === '}' || ch === ']') {
        this.depth--;
        if (this.depth === 0) {
          this.done = true;
          return i + 1;
        }
      }
    }
    return text.length;
  }
}
