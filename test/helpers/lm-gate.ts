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

/** Options of {@link holdRepliesUntil}. */
export interface ReplyGateOptions {
  /** Requests answered at once before the gate starts holding (a run under way). Default 0. */
  passFirst?: number;
}

/**
 * Holds every request the fixture receives until `ready(waiting)` is true for the requests held at
 * once, then answers them all and every later one (echo mode, or `reply`). A test that needs work
 * on two nodes asks for requests that only two nodes together can have in flight (one node's
 * concurrency is bounded), so the property holds by construction instead of by timing. With a
 * `ready` that never holds, the gate stays shut until {@link ReplyGate.close}: a test kills or
 * stops a node while its LM calls are in flight, then lets them through.
 */
export function holdRepliesUntil(
  fixture: LMFixture,
  ready: (waiting: readonly RecordedRequest[]) => boolean,
  reply?: FixtureHandler,
  options: ReplyGateOptions = {},
): ReplyGate {
  const waiting: RecordedRequest[] = [];
  let passed = 0;
  let open = false;
  let release!: (held: RecordedRequest[]) => void;
  const opened = new Promise<RecordedRequest[]>((r) => (release = r));
  const openGate = () => {
    open = true;
    release([...waiting]);
  };
  fixture.handle(async (req) => {
    if (!open && passed < (options.passFirst ?? 0)) passed++;
    else if (!open) {
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

/** The node processes (pids) that sent `requests`, from the `x-dspex-test-pid` header. */
export function senderPids(requests: readonly RecordedRequest[]): Set<number> {
  return new Set(requests.map((r) => Number(r.headers['x-dspex-test-pid'])));
}
