/**
 * A one-producer, one-reader queue: the producer pushes items (then closes or fails it), the reader
 * drains them as an async iterable, waiting while it is empty. Used to pass LM stream chunks and
 * run deltas across a guard or a program worker without buffering the whole stream first.
 */
export class AsyncChannel<T> {
  private readonly items: T[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  /** Adds an item (ignored once the channel has ended). */
  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.notify();
  }

  /** Ends the channel: the reader gets the items left, then stops. */
  close(): void {
    this.ended = true;
    this.notify();
  }

  /** Ends the channel with an error: the reader gets the items left, then it throws `error`. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = { error };
    this.ended = true;
    this.notify();
  }

  /** The items as they come. */
  async *drain(): AsyncGenerator<T, void, undefined> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift() as T;
        continue;
      }
      if (this.failure !== undefined) throw this.failure.error;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
