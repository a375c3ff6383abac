import type { FixtureHandler, LMFixture, RecordedRequest } from '../fixtures/index.js';

/** A gate in front of an LM fixture's replies (see {@link holdRepliesUntil}). */
export interface ReplyGate {
  /** Resolves when the gate opened (the condition held for the requests waiting at once). */
  readonly opened: Promise<RecordedRequest[]>;
  /** Requests held so far. */
  readonly waiting: readonly RecordedRequest[];
  /** Removes the handler (held requests are let through first). */
  close(): void;
}

/**
 * Holds every request the fixture receives until `ready(waiting)` is true for the requests held at
 * once, then answers them all and every later one (echo mode, or `reply`). A test that needs work
 * on two nodes asks for requests that only two nodes together can have in flight (one node's
 * concurrency is bounded), so the property holds by construction instead of by timing.
 */
export function holdRepliesUntil(
  fixture: LMFixture,
  ready: (waiting: readonly RecordedRequest[]) => boolean,
  reply?: FixtureHandler,
): ReplyGate {
  const waiting: RecordedRequest[] = [];
  let open = false;
  let release!: (held: RecordedRequest[]) => void;
  const opened = new Promise<RecordedRequest[]>((r) => (release = r));
  const openGate = () => {
    open = true;
    release([...waiting]);
  };
  fixture.handle(async (req) => {
    if (!open) {
      waiting.push(req);
      if (ready(waiting)) openGate();
      else await opened;
    }
    return reply?.(req);
  });
  return {
    opened,
    waiting,
    close: () => {
      if (!open) openGate();
      fixture.handle(reply);
    },
  };
}
