import { nanoid } from 'nanoid';
import { inject } from 'vitest';
import { BullMQTransport } from '../../src/transport/index.js';
import { afterAll } from 'vitest';
import { describeRunLedgerConformance } from './run-ledger-conformance.js';
import { describePipelineConformance } from './pipeline-conformance.js';
import { describeTransportConformance } from './transport-conformance.js';

// Every transport gets its own key prefix, so tests never see each other's queues or runs.
const factory = {
  create: () => new BullMQTransport({ url: inject('redisUrl'), prefix: `t-${nanoid(8)}` }),
};

describeTransportConformance('BullMQTransport', factory);
describePipelineConformance('BullMQTransport', factory);

const ledgerTransports: BullMQTransport[] = [];
afterAll(async () => {
  await Promise.all(ledgerTransports.map((t) => t.close()));
});
describeRunLedgerConformance('RedisRunLedger', () => {
  const transport = factory.create();
  ledgerTransports.push(transport);
  return transport.runLedger();
});
