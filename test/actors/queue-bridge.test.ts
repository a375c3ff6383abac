import { afterEach, describe, expect, it } from 'vitest';
import { actorWorker, createKernel, type SupervisorProcess } from '../../src/kernel/index.js';
import { MemoryTransport } from '../../src/transport/index.js';
import { queueBridgeMachine, type QueueBridgeStatus } from '../../actors/index.js';
import { callActor } from '../../services/index.js';

let sup: SupervisorProcess | undefined;
const transport = new MemoryTransport();
afterEach(async () => {
  await sup?.stop();
});

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

async function startBridge(queue: string, handler: () => Promise<unknown>) {
  const kernel = createKernel();
  const r = await kernel.startSupervisor({ strategy: 'one_for_one' }, [
    {
      id: 'bridge',
      name: 'bridge',
      shutdown: 2000,
      start: actorWorker(queueBridgeMachine, {
        trapShutdown: true,
        input: {
          transport,
          queue,
          concurrency: 2,
          handler: handler as never,
          closeTimeoutMs: 1000,
        },
      }),
    },
  ]);
  if (!r.ok) throw new Error('bridge failed to start');
  sup = r.sup;
  // Wait until the consumer is live.
  for (;;) {
    const s = await callActor<QueueBridgeStatus>(kernel, 'bridge', { type: 'status' });
    if (s.state === 'consuming') return kernel;
    await new Promise((res) => setImmediate(res));
  }
}

describe('queue bridge', () => {
  it('feeds_jobs_to_its_handler_and_reports_in_flight_work', async () => {
    const g = gate();
    const kernel = await startBridge('bridge-a', async () => {
      await g.opened;
      return { done: true };
    });
    const id = await transport.enqueue('bridge-a', { n: 1 });
    await new Promise((r) => setTimeout(r, 20));
    expect(await callActor(kernel, 'bridge', { type: 'status' })).toEqual({
      queue: 'bridge-a',
      state: 'consuming',
      inFlight: 1,
    });
    g.open();
    expect(await transport.waitForResult('bridge-a', id, 1000)).toEqual({ done: true });
  });

  it('closes_gracefully_on_shutdown_finishing_the_job_in_flight', async () => {
    const g = gate();
    let finished = false;
    await startBridge('bridge-b', async () => {
      await g.opened;
      finished = true;
      return 'ok';
    });
    const id = await transport.enqueue('bridge-b', { n: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const stopping = sup!.stop();
    const late = await transport.enqueue('bridge-b', { n: 2 });
    setTimeout(() => g.open(), 30);
    await stopping;
    expect(finished).toBe(true);
    expect(await transport.waitForResult('bridge-b', id, 100)).toBe('ok');
    expect((await transport.getJob('bridge-b', late))?.state).toBe('waiting');
    sup = undefined;
  });

  it('drains_on_request_and_stays_up_answering_status', async () => {
    const kernel = await startBridge('bridge-c', async () => 'x');
    expect(await callActor(kernel, 'bridge', { type: 'drain' }, 2000)).toMatchObject({
      state: 'closed',
    });
    expect(await callActor(kernel, 'bridge', { type: 'status' })).toMatchObject({
      state: 'closed',
    });
    await expect(callActor(kernel, 'bridge', { type: 'pause' })).rejects.toMatchObject({
      code: 'bad_message',
    });
  });
});
