import type { LMMessage, LMResponse, Usage } from './types.js';

/** One recorded LM call (DSPy's history entry). */
export interface LMHistoryEntry {
  /** The call id also passed to callbacks. */
  callId: string;
  /** ISO timestamp of the call's end. */
  timestamp: string;
  provider: string;
  model: string;
  messages: LMMessage[];
  /** Generation parameters and request options, without messages, signal or credentials. */
  params: Record<string, unknown>;
  response: LMResponse;
  usage: Usage | null;
  /** Cost in USD, when priced (null on cache hits and unpriced models). */
  cost: number | null;
}

/**
 * A bounded list of the most recent entries: a ring buffer, so recording a call is O(1) and memory
 * stays flat in long-running daemons.
 */
export class HistoryBuffer {
  private readonly items: (LMHistoryEntry | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<LMHistoryEntry | undefined>(Math.max(0, capacity));
  }

  push(entry: LMHistoryEntry): void {
    if (this.capacity <= 0) return;
    this.items[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Entries oldest first; the last `n` only when given. */
  list(n?: number): LMHistoryEntry[] {
    const take = Math.min(this.count, n ?? this.count);
    const out: LMHistoryEntry[] = [];
    for (let i = this.count - take; i < this.count; i++) {
      const idx = (this.next - this.count + i + this.capacity) % this.capacity;
      const e = this.items[idx];
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  get length(): number {
    return this.count;
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}

let globalHistory = new HistoryBuffer(10_000);

/** The process-wide history of every LM call (DSPy's `GLOBAL_HISTORY`), oldest first. */
export function globalLMHistory(n?: number): LMHistoryEntry[] {
  return globalHistory.list(n);
}

/** Records a call in the global history (called by the LM pipeline). */
export function recordGlobalHistory(entry: LMHistoryEntry): void {
  globalHistory.push(entry);
}

/** Empties the global history and optionally resizes it (default size 10 000, DSPy's max). */
export function resetGlobalHistory(capacity?: number): void {
  globalHistory = new HistoryBuffer(capacity ?? globalHistory.capacity);
}
