/**
 * The load generator of the gRPC scenarios, in a process of its own (forked by a scenario),
 * so the server's process does only the server's work: `connections` clients, each on its own
 * HTTP/2 connection, stream sluice.ingest.v1 batches of ~200-byte events to `address` and
 * keep at most `window` batches unacknowledged each. Requests are encoded once: every batch
 * is the same pre-encoded events with its own sequence number in front, so the client's
 * cost is framing only.
 *
 *     fork('grpc-load.js', [address]); send LoadCommand; receive LoadResult
 */
import { Client, credentials, type ClientDuplexStream } from '@grpc/grpc-js';
import { grpcMessageTypes, STREAM_PATH } from '../../src/sources/grpc/protos';

/** Send `events` as fast as the windows allow, or at `eventsPerSecond` for `durationMs`. */
export type LoadCommand =
  | { readonly kind: 'peak'; readonly events: number; readonly batchEvents: number; readonly connections: number; readonly window: number }
  | { readonly kind: 'rate'; readonly eventsPerSecond: number; readonly durationMs: number; readonly batchEvents: number; readonly connections: number; readonly window: number };

/** What one command measured. */
export interface LoadResult {
  readonly events: number;
  readonly bytes: number;
  readonly durationMs: number;
  /** Send → ack time of every batch, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly rejected: number;
}

/** One ~200-byte event, as a Node service would send it: a message, level, host, source, a time and two fields. */
export function benchEvent(index: number): object {
  const message = `GET /api/v1/orders/${100_000 + index} 200 12ms user-agent="bench/1.0" request_id=7f3c9a2e-${String(index).padStart(8, '0')} upstream=orders-7d9f`;
  return {
    message,
    timestamp_unix_nano: '1764633600000000000',
    level: 'info',
    host: 'web-01',
    source: 'orders',
    fields_json: Buffer.from(`{"status":200,"duration_ms":12,"route":"/api/v1/orders"}`),
  };
}

/** The encoded `events` part of a StreamRequest holding `count` bench events, and its size. */
export function encodedEvents(count: number): Buffer {
  const types = grpcMessageTypes();
  const events = Array.from({ length: count }, (_, index) => benchEvent(index));
  // sequence 0 is not written (proto3 default): what is left is the repeated events field.
  return Buffer.from(types.streamRequest.encode({ events }).finish());
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A StreamRequest: field 1 (sequence, varint) in front of the pre-encoded events. */
const request = (sequence: number, events: Buffer): Buffer => Buffer.concat([Buffer.from([0x08]), varint(sequence), events]);

const percentile = (sorted: readonly number[], q: number): number => (sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number));

const identity = (buffer: Buffer): Buffer => buffer;

interface Connection {
  readonly client: Client;
  readonly call: ClientDuplexStream<Buffer, Buffer>;
  readonly sentAt: Map<number, number>;
}

async function connect(address: string, onAck: (connection: Connection, sequence: number, accepted: number, rejected: number) => void): Promise<Connection> {
  // A local subchannel pool per client: four clients, four HTTP/2 connections.
  const client = new Client(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1, 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 20_000, (error) => (error ? reject(error) : resolve())));
  const call = client.makeBidiStreamRequest(STREAM_PATH, identity, identity);
  const connection: Connection = { client, call, sentAt: new Map() };
  const ackType = grpcMessageTypes().streamAck;
  call.on('data', (bytes: Buffer) => {
    const ack = ackType.toObject(ackType.decode(bytes), { longs: Number, defaults: true }) as { sequence: number; accepted: number; rejected: unknown[] };
    onAck(connection, ack.sequence, ack.accepted, ack.rejected.length);
  });
  call.on('error', (error) => {
    process.send?.({ error: String(error) });
  });
  return connection;
}

async function run(address: string, command: LoadCommand): Promise<LoadResult> {
  const events = encodedEvents(command.batchEvents);
  const latencies: number[] = [];
  let acked = 0;
  let rejected = 0;
  let sequence = 0;
  let waiting: Array<() => void> = [];
  const onAck = (connection: Connection, acknowledged: number, accepted: number, refused: number): void => {
    const sent = connection.sentAt.get(acknowledged);
    connection.sentAt.delete(acknowledged);
    if (sent !== undefined) latencies.push(performance.now() - sent);
    acked += accepted;
    rejected += refused;
    const wake = waiting;
    waiting = [];
    for (const resume of wake) resume();
  };
  const connections = await Promise.all(Array.from({ length: command.connections }, () => connect(address, onAck)));
  const send = async (connection: Connection): Promise<void> => {
    while (connection.sentAt.size >= command.window) await new Promise<void>((resume) => waiting.push(resume));
    const next = ++sequence;
    connection.sentAt.set(next, performance.now());
    if (!connection.call.write(request(next, events))) await new Promise<void>((resume) => connection.call.once('drain', resume));
  };
  const started = performance.now();
  let sentEvents = 0;
  if (command.kind === 'peak') {
    const perConnection = Math.ceil(command.events / command.batchEvents / command.connections);
    await Promise.all(connections.map(async (connection) => {
      for (let i = 0; i < perConnection; i++) await send(connection);
    }));
    sentEvents = perConnection * command.connections * command.batchEvents;
  } else {
    const intervalMs = (command.batchEvents * command.connections * 1000) / command.eventsPerSecond;
    const batches = Math.floor(command.durationMs / intervalMs);
    await Promise.all(connections.map(async (connection, at) => {
      // Staggered, so the connections do not send in lockstep.
      await new Promise((resume) => setTimeout(resume, (intervalMs * at) / command.connections));
      const first = performance.now();
      for (let i = 0; i < batches; i++) {
        const due = first + i * intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resume) => setTimeout(resume, wait));
        await send(connection);
      }
    }));
    sentEvents = batches * command.connections * command.batchEvents;
  }
  while (acked + rejected < sentEvents) await new Promise<void>((resume) => waiting.push(resume));
  const durationMs = performance.now() - started;
  for (const connection of connections) {
    connection.call.end();
    connection.client.close();
  }
  latencies.sort((a, b) => a - b);
  return { events: acked, bytes: (acked / command.batchEvents) * events.length, durationMs, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), rejected };
}

if (require.main === module) {
  const address = process.argv[2] as string;
  process.once('disconnect', () => process.exit(0));
  process.on('message', (command: LoadCommand) => {
    run(address, command).then(
      (result) => process.send?.({ result }),
      (error: unknown) => process.send?.({ error: String(error) }),
    );
  });
  process.send?.({ ready: true });
}
