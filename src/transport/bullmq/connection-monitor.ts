import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionEvent, ConnectionState } from '../types.js';

/**
 * Creates the ioredis clients of a {@link BullMQTransport} and turns their lifecycle events
 * (`connect`/`ready`/`close`/`reconnecting`/`end`) into {@link ConnectionEvent}s, so the daemon can
 * log "Redis went away" and "reconnected" and health checks can report the state.
 */
export class ConnectionMonitor {
  readonly #listeners = new Set<(event: ConnectionEvent) => void>();
  readonly #states = new Map<string, ConnectionState>();
  readonly #lastErrors = new Map<string, string>();
  readonly #forgotten = new Set<string>();

  constructor(
    private readonly baseOptions: RedisOptions,
    private readonly reconnectMaxDelay: number,
  ) {}

  /**
   * A new monitored client. `blocking` clients (workers, event readers) retry every command
   * forever (`maxRetriesPerRequest: null`, as BullMQ requires) so they survive a Redis restart;
   * the command client keeps ioredis's default and fails a command after 20 reconnect attempts.
   */
  createClient(name: string, options: { blocking: boolean }): Redis {
    const client = new Redis({
      ...this.baseOptions,
      ...(options.blocking ? { maxRetriesPerRequest: null } : {}),
      retryStrategy: (times: number) => Math.min(times * 100, this.reconnectMaxDelay),
    });
    this.#set(name, 'connecting');
    client.on('ready', () => this.#set(name, 'ready'));
    client.on('reconnecting', () => this.#set(name, 'reconnecting'));
    client.on('end', () => this.#set(name, 'closed'));
    // ioredis emits 'error' for every failed reconnect; without a listener Node would throw.
    client.on('error', (error: Error) => this.#lastErrors.set(name, error.message));
    return client;
  }

  /** Current state of each client by name. */
  states(): ReadonlyMap<string, ConnectionState> {
    return this.#states;
  }

  /** Reports a client closed on purpose as `closed`, then forgets it (late events are dropped). */
  forget(name: string): void {
    this.#set(name, 'closed');
    this.#forgotten.add(name);
    this.#states.delete(name);
    this.#lastErrors.delete(name);
  }

  on(listener: (event: ConnectionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #set(name: string, state: ConnectionState): void {
    if (this.#forgotten.has(name) || this.#states.get(name) === state) return;
    this.#states.set(name, state);
    const error = state === 'ready' ? undefined : this.#lastErrors.get(name);
    if (state === 'ready') this.#lastErrors.delete(name);
    const event: ConnectionEvent = {
      client: name,
      state,
      ...(error === undefined ? {} : { error }),
    };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // Listeners observe; they must not break the client's event handling.
      }
    }
  }
}
