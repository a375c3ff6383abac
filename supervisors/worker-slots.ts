import { ActorError } from '../services/index.js';
import {
  Pid,
  SupervisorProcess,
  formatTerm,
  type Kernel,
  type SupervisorApiResult,
} from '../src/kernel/index.js';

const stopping = (): ActorError =>
  new ActorError('stopping', 'the runtime is stopping', { retryable: true });

/**
 * Starts dynamic children of the tree's `simple_one_for_one` supervisors with backpressure: when a
 * supervisor answers `max_children`, the caller waits for one of its children to exit and tries
 * again (so a job stays with its bridge, and `run()` waits, instead of failing).
 */
export class WorkerSlots {
  private waiters: (() => void)[] = [];
  /** Child exits seen so far: a start refused for `max_children` waits only if none came since. */
  private exits = 0;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly kernel: Kernel) {
    this.unsubscribe = kernel.subscribe((e) => {
      if (e.type === 'child_exited' || e.type === 'process_exited') {
        this.exits++;
        this.wake();
      }
    });
  }

  /** The live supervisor registered as `name`. */
  supervisor(name: string): SupervisorProcess {
    const pid = this.kernel.whereis(name);
    const proc = pid?.proc;
    if (!(proc instanceof SupervisorProcess))
      throw new ActorError('stopping', `supervisor ${name} is not running`, { retryable: true });
    return proc;
  }

  /** Starts a child of supervisor `name` with `args`, waiting while it is full. */
  start(name: string, args: readonly unknown[]): Promise<Pid> {
    // One `.then` per start; only a full supervisor takes the waiting loop.
    try {
      if (this.closed) throw stopping();
      const exitsBefore = this.exits;
      return this.supervisor(name)
        .startChild(args)
        .then((r) =>
          r.ok && r.pid instanceof Pid ? r.pid : this.startWhenFree(name, args, r, exitsBefore),
        );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** After a refused start (`first`): waits while the supervisor is full and tries again. */
  private async startWhenFree(
    name: string,
    args: readonly unknown[],
    first: SupervisorApiResult,
    exitsAtFirst: number,
  ): Promise<Pid> {
    let r = first;
    let exitsBefore = exitsAtFirst;
    for (;;) {
      if (r.ok && r.pid instanceof Pid) return r.pid;
      if (r.ok || r.error !== 'max_children')
        throw new ActorError(
          'execution_failed',
          `cannot start a worker under ${name}: ${r.ok ? 'ignored' : formatTerm(r.error)}`,
          {
            retryable: true,
          },
        );
      if (this.exits === exitsBefore && !this.closed)
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      if (this.closed) throw stopping();
      exitsBefore = this.exits;
      r = await this.supervisor(name).startChild(args);
    }
  }

  /**
   * Stops child `pid` of supervisor `name` as `terminate_child` does (a `shutdown`, not a crash
   * report), without waiting; nothing to do if the supervisor or the child is gone already.
   */
  kill(name: string, pid: Pid): void {
    const proc = this.kernel.whereis(name)?.proc;
    if (proc instanceof SupervisorProcess) void proc.terminateChild(pid).catch(() => undefined);
  }

  /** Wakes waiters so they try again. */
  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Releases every waiter (they fail with `stopping`). */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.wake();
  }
}
