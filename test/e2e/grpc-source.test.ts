import { status } from '@grpc/grpc-js';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { join } from 'node:path';
import { IngestTestClient } from '../unit/sources/grpc/grpc-test-client';
import { healthCheck, listServices } from '../unit/sources/grpc/service-clients';
import { assertBuilt, eventually, freePort, killLeftovers, readEvents, removeTempDirs, startCli, tempDir, writeConfig, type Running } from './cli-harness';

beforeAll(assertBuilt);
afterAll(() => {
  killLeftovers();
  removeTempDirs();
});

/** Waits until the health service of the CLI at `address` answers `expected`. */
async function healthIs(running: Running, address: string, expected: string): Promise<void> {
  await eventually(async () => {
    if (running.child.exitCode !== null) throw new Error(`sluice exited: ${running.stderr()}`);
    return (await healthCheck(address)) === expected ? true : undefined;
  }, 20_000, `health ${expected}`);
}

async function metric(apiPort: number, name: string, match: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(match));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('grpc source through the CLI, with @grpc/grpc-js clients', () => {
  let sluice: Running;
  let address: string;
  let apiPort: number;
  let out: string;
  const clients: IngestTestClient[] = [];
  const client = (headers: Record<string, string> = { authorization: 'Bearer e2e-key' }) => {
    const made = new IngestTestClient(address, headers);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    const dir = tempDir('sluice-grpc-e2e-');
    out = join(dir, 'out');
    address = `127.0.0.1:${await freePort()}`;
    apiPort = await freePort();
    const config = writeConfig(
      dir,
      `api:
  address: 127.0.0.1:${apiPort}
sources:
  services:
    type: grpc
    address: ${address}
    auth:
      api_keys: [e2e-key]
sinks:
  files:
    type: file
    inputs: [services]
    path: ${out}/events.ndjson
    batch:
      timeout: 20ms
`,
    );
    sluice = startCli(['run', '-c', config, '--log-level', 'warn']);
    await healthIs(sluice, address, 'SERVING');
  });

  afterAll(async () => {
    for (const made of clients) made.close();
    sluice.child.kill('SIGTERM');
    await sluice.exited;
  });

  it('Push answers once the events are written, naming the invalid ones', async () => {
    const result = await client().push([
      { message: 'unary one', level: 'ERR', fields_json: Buffer.from('{"order":17,"tag":"unary"}') },
      { message: 'broken', fields_json: Buffer.from('{nope') },
      { message: 'unary two', fields: { tag: { string_value: 'unary' } } },
    ]);
    expect(result.ok && result.response.accepted).toBe(2);
    expect(result.ok && result.response.rejected).toEqual([{ index: 1, reason: expect.stringMatching(/fields_json: not valid JSON/), retryable: false }]);
    // Answered after delivery: the file already holds them.
    const written = readEvents(out).filter((event) => event.tag === 'unary');
    expect(written.map((event) => event.message).sort()).toEqual(['unary one', 'unary two']);
    expect(written.find((event) => event.message === 'unary one')).toMatchObject({ level: 'error', order: 17 });
    expect(await metric(apiPort, 'sluice_source_rejected_events_total', 'reason="invalid"')).toBe(1);
  });

  it('Stream acknowledges every sequence number after its batch is written', async () => {
    const stream = client().stream();
    for (let sequence = 1; sequence <= 20; sequence++) {
      stream.send(sequence, Array.from({ length: 50 }, (_, index) => ({ message: `s${sequence}-${index}`, source: 'stream-e2e' })));
    }
    stream.end();
    expect((await stream.status).code).toBe(status.OK);
    expect(stream.acks.map((ack) => ack.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(stream.acks.every((ack) => ack.accepted === 50 && ack.rejected.length === 0)).toBe(true);
    expect(readEvents(out).filter((event) => event.source === 'stream-e2e')).toHaveLength(1000);
  });

  it('refuses calls without a known key with UNAUTHENTICATED, counted', async () => {
    const none = await client({}).push([{ message: 'x' }]);
    expect(!none.ok && none.error.code).toBe(status.UNAUTHENTICATED);
    const wrong = await client({ 'x-api-key': 'guess' }).push([{ message: 'x' }]);
    expect(!wrong.ok && wrong.error.code).toBe(status.UNAUTHENTICATED);
    expect(await metric(apiPort, 'sluice_component_errors_total', 'error_type="grpc_unauthenticated"')).toBe(2);
  });

  it('serves health and lists its services through reflection', async () => {
    expect(await healthCheck(address, 'sluice.ingest.v1.Ingest')).toBe('SERVING');
    expect(await listServices(address)).toEqual(
      expect.arrayContaining(['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'opentelemetry.proto.collector.logs.v1.LogsService', 'sluice.ingest.v1.Ingest']),
    );
  });

  it('takes OTLP logs from the OpenTelemetry SDK exporter', async () => {
    const metadata = new (await import('@grpc/grpc-js')).Metadata();
    metadata.set('authorization', 'Bearer e2e-key');
    const exporter = new OTLPLogExporter({ url: `http://${address}`, metadata });
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'otel-e2e', 'host.name': 'box-1' }), processors: [new SimpleLogRecordProcessor(exporter)] });
    provider.getLogger('e2e.scope', '0.1.0').emit({ severityNumber: 9, severityText: 'INFO', body: 'from the otel sdk', attributes: { attempt: 2 } });
    await provider.forceFlush();
    await provider.shutdown();
    const event = await eventually(() => readEvents(out).find((candidate) => candidate.source === 'otel-e2e'), 10_000, 'the OTLP record');
    expect(event).toMatchObject({ message: 'from the otel sdk', level: 'info', host: 'box-1', attributes: { attempt: 2 }, scope: { name: 'e2e.scope', version: '0.1.0' } });
  });
});

describe('grpc source through the CLI: credit and drain', () => {
  it('answers RESOURCE_EXHAUSTED while credit is out, NOT_SERVING while draining, and fails held batches UNAVAILABLE at drain_timeout', async () => {
    const dir = tempDir('sluice-grpc-drain-');
    const address = `127.0.0.1:${await freePort()}`;
    const deadPort = await freePort();
    const config = writeConfig(
      dir,
      `api:
  enabled: false
shutdown_timeout: 4s
sources:
  services:
    type: grpc
    address: ${address}
    max_in_flight_events: 1
    drain_timeout: 1500ms
    retry_after: 300ms
sinks:
  search:
    type: elasticsearch
    inputs: [services]
    endpoints: [http://127.0.0.1:${deadPort}]
`,
    );
    const sluice = startCli(['run', '-c', config, '--log-level', 'error']);
    await healthIs(sluice, address, 'SERVING');
    const client = new IngestTestClient(address);
    try {
      // Held: the sink's server is down, so the ack (and the credit) never comes back.
      const held = client.push([{ message: 'held' }], { deadlineMs: 30_000 });
      const refused = await eventually(async () => {
        const result = await client.push([{ message: 'over credit' }]);
        return !result.ok && result.error.code === status.RESOURCE_EXHAUSTED ? result : undefined;
      }, 10_000, 'RESOURCE_EXHAUSTED');
      expect(!refused.ok && refused.error.metadata.get('retry-after-ms')).toEqual(['300']);
      const stream = client.stream();
      stream.send(1, [{ message: 'stream over credit' }]);
      sluice.child.kill('SIGTERM');
      await healthIs(sluice, address, 'NOT_SERVING');
      const late = await client.push([{ message: 'late' }]);
      expect(!late.ok && late.error.code).toBe(status.UNAVAILABLE);
      const failed = await held;
      expect(!failed.ok && failed.error.code).toBe(status.UNAVAILABLE);
      expect((await stream.status).code).toBe(status.UNAVAILABLE);
      const exit = await sluice.exited;
      expect(exit.signal).toBeNull();
    } finally {
      client.close();
    }
  }, 60_000);
});
