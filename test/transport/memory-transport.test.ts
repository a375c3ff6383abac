import { MemoryTransport } from '../../src/transport/index.js';
import { describeRunLedgerConformance } from './run-ledger-conformance.js';
import { describePipelineConformance } from './pipeline-conformance.js';
import { describeTransportConformance } from './transport-conformance.js';

describeTransportConformance('MemoryTransport', { create: () => new MemoryTransport() });
describePipelineConformance('MemoryTransport', { create: () => new MemoryTransport() });
describeRunLedgerConformance('MemoryRunLedger', () => new MemoryTransport().runLedger());
