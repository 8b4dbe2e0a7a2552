import { status as Status } from '@grpc/grpc-js';
import { IngestClient, type GiveUp, type IngestStream, type IngestStreamOptions } from '../../../src/client';
import { until } from '../../helpers/async';
import { IngestPeer } from './ingest-peer';

/**
 * The stream's state machine against a real gRPC server (IngestPeer): batching, the bounded
 * window and its backpressure, resends after a dropped connection, partial acks, refusals
 * with retry_after, give-up by attempts / age / close deadline, and invalid events.
 */

const clients: IngestClient[] = [];
const peers: IngestPeer[] = [];

async function setUp(options: IngestStreamOptions = {}): Promise<{ peer: IngestPeer; client: IngestClient; stream: IngestStream; gaveUp: GiveUp[] }> {
  const peer = new IngestPeer();
  peers.push(peer);
  await peer.start();
  const client = new IngestClient({ address: peer.address, backoff: { initialMs: 20, maxMs: 200, jitter: 0 } });
  clients.push(client);
  const gaveUp: GiveUp[] = [];
  const stream = client.stream({ lingerMs: 10, ...options, onGiveUp: (giveUp) => gaveUp.push(giveUp) });
  return { peer, client, stream, gaveUp };
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close({ timeoutMs: 100 })));
  await Promise.all(peers.splice(0).map((peer) => peer.stop()));
});

const messages = (count: number, prefix = 'e'): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('IngestStream', () => {
  it('cuts batches by count, sends a partial one after the linger time, and flush resolves once all are acked', async () => {
    const { peer, stream } = await setUp({ batchMaxEvents: 10, lingerMs: 300 });
    // Connect first (the first batch waits for the connection), so the timing below is the linger's.
    stream.write({ message: 'first' });
    await stream.flush();
    const acks: number[] = [];
    stream.on('ack', (ack) => acks.push(ack.accepted));
    const written = Date.now();
    for (const message of messages(25)) expect(stream.write({ message })).toBe(true);
    await until(() => peer.streamed.length === 3);
    expect(peer.streamed.slice(1).map((request) => request.events.length)).toEqual([10, 10]);
    expect(Date.now() - written).toBeLessThan(250);
    await until(() => peer.streamed.length === 4, 2_000);
    expect(peer.streamed[3]!.at - written).toBeGreaterThanOrEqual(290);
    await stream.flush();
    expect(peer.streamed.map((request) => request.events.length)).toEqual([1, 10, 10, 5]);
    expect(peer.streamed.map((request) => request.sequence)).toEqual([1, 2, 3, 4]);
    expect(peer.streamedEvents().map((event) => event.message)).toEqual(['first', ...messages(25)]);
    expect(acks).toEqual([10, 10, 5]);
    expect(stream.stats()).toMatchObject({ written: 26, accepted: 26, gaveUp: 0, unackedBatches: 0, pendingEvents: 0, connected: true });
  });

  it('cuts batches by bytes so no request exceeds batchMaxBytes', async () => {
    const { peer, stream } = await setUp({ batchMaxEvents: 1_000, batchMaxBytes: 2_000 });
    for (const message of messages(40, 'x'.repeat(190))) stream.write({ message });
    await stream.flush();
    expect(peer.streamedEvents()).toHaveLength(40);
    for (const request of peer.streamed) expect(request.events.length * (190 + 48)).toBeLessThanOrEqual(2_000);
    expect(peer.streamed.length).toBeGreaterThanOrEqual(5);
  });

  it('keeps at most maxUnackedBatches unacknowledged, signals backpressure, and drains when acks arrive', async () => {
    const { peer, stream } = await setUp({ batchMaxEvents: 5, maxUnackedBatches: 2 });
    peer.answer = () => ({ kind: 'hold' });
    let drains = 0;
    stream.on('drain', () => (drains += 1));
    const results = messages(20).map((message) => stream.write({ message }));
    // Two batches fill the window; one more full batch may wait in pending, then writes say "wait".
    expect(results.slice(0, 14)).toEqual(Array(14).fill(true));
    expect(results.slice(15)).toEqual(Array(5).fill(false));
    await until(() => peer.streamed.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(peer.streamed).toHaveLength(2);
    expect(stream.stats()).toMatchObject({ unackedBatches: 2, pendingEvents: 10 });
    expect(drains).toBe(0);

    const sent = stream.send({ message: 'after' });
    let sendResolved = false;
    void sent.then(() => (sendResolved = true));
    peer.answer = () => ({ kind: 'ack' });
    expect(peer.release()).toBe(2);
    await until(() => drains === 1 && sendResolved);
    await stream.flush();
    expect(peer.streamedEvents().map((event) => event.message)).toEqual([...messages(20), 'after']);
  });

  it('bounds the window by bytes as well', async () => {
    const { peer, stream } = await setUp({ batchMaxEvents: 2, batchMaxBytes: 1_024, maxUnackedBatches: 100, maxUnackedBytes: 1_024 });
    peer.answer = () => ({ kind: 'hold' });
    for (const message of messages(20, 'y'.repeat(200))) stream.write({ message });
    await until(() => peer.streamed.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stream.stats().unackedBytes).toBeLessThanOrEqual(1_024);
    expect(peer.streamed.length).toBeLessThan(5);
    peer.answer = () => ({ kind: 'ack' });
    peer.release();
    await stream.flush();
    expect(peer.streamedEvents()).toHaveLength(20);
  });

  it('resends every unacknowledged batch, with its sequence, after the server crashes and comes back', async () => {
    const { peer, stream } = await setUp({ batchMaxEvents: 5, maxUnackedBatches: 4 });
    peer.answer = (request) => (request.sequence <= 2 ? { kind: 'ack' } : { kind: 'hold' });
    const disconnects: string[] = [];
    stream.on('disconnect', (error) => disconnects.push(error.message));
    for (const message of messages(20)) stream.write({ message });
    await until(() => peer.streamed.length === 4 && peer.heldCount === 2);
    peer.crash();
    await until(() => disconnects.length === 1);
    expect(disconnects[0]).toMatch(/UNAVAILABLE|CANCELLED|INTERNAL/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    peer.answer = () => ({ kind: 'ack' });
    await peer.start();
    await stream.flush();
    const resent = peer.streamed.slice(4);
    expect(resent.map((request) => request.sequence).sort()).toEqual([3, 4]);
    const copies = new Map<string, number>();
    for (const event of peer.streamedEvents()) copies.set(event.message!, (copies.get(event.message!) ?? 0) + 1);
    expect([...copies.keys()].sort()).toEqual(messages(20).sort());
    expect([...copies.values()].filter((count) => count > 1)).toHaveLength(10);
    expect(stream.stats()).toMatchObject({ accepted: 20, gaveUp: 0, disconnects: 1 });
    expect(peer.streamsOpened).toBe(2);
  });

  it('resends only the items a partial ack marks retryable, and gives up on the others with their reasons', async () => {
    const { peer, stream, gaveUp } = await setUp({ batchMaxEvents: 4 });
    let first = true;
    peer.answer = () => {
      if (!first) return { kind: 'ack' };
      first = false;
      return { kind: 'ack', rejected: [{ index: 1, reason: 'buffer full', retryable: true }, { index: 2, reason: 'level: bad', retryable: false }, { index: 3, reason: 'sink outage', retryable: true }] };
    };
    for (const message of messages(4)) stream.write({ message });
    await stream.flush();
    expect(peer.streamed.map((request) => request.events.map((event) => event.message))).toEqual([messages(4), ['e1', 'e3']]);
    expect(peer.streamed[1]!.sequence).not.toBe(peer.streamed[0]!.sequence);
    expect(gaveUp).toEqual([{ cause: 'rejected', failures: [{ event: { message: 'e2' }, reason: 'level: bad' }] }]);
    expect(stream.stats()).toMatchObject({ accepted: 3, retried: 2, gaveUp: 1 });
  });

  it('waits retry_after_ms before resending a batch the server refused as a whole', async () => {
    const { peer, stream } = await setUp({ batchMaxEvents: 3 });
    let refusals = 1;
    peer.answer = () => (refusals-- > 0 ? { kind: 'ack', retryAfterMs: 300 } : { kind: 'ack' });
    for (const message of messages(3)) stream.write({ message });
    await stream.flush();
    expect(peer.streamed).toHaveLength(2);
    expect(peer.streamed[1]!.sequence).toBe(peer.streamed[0]!.sequence);
    expect(peer.streamed[1]!.at - peer.streamed[0]!.at).toBeGreaterThanOrEqual(290);
  });

  it('gives up after maxAttempts sends, reporting the events and the last reason', async () => {
    const { peer, stream, gaveUp } = await setUp({ batchMaxEvents: 2, maxAttempts: 3 });
    peer.answer = (request) => ({ kind: 'ack', rejected: request.events.map((_, index) => ({ index, reason: 'downstream unavailable', retryable: true })) });
    stream.write({ message: 'a' });
    stream.write({ message: 'b' });
    await stream.flush();
    expect(peer.streamed).toHaveLength(3);
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]!.cause).toBe('attempts');
    expect(gaveUp[0]!.failures.map((failure) => failure.event.message)).toEqual(['a', 'b']);
    expect(gaveUp[0]!.failures[0]!.reason).toBe('not acknowledged after 3 attempts (last: downstream unavailable)');
  });

  it('gives up on events older than maxAgeMs while sluice is unreachable, which frees the window', async () => {
    const { peer, client } = await setUp();
    peer.crash();
    const gaveUp: GiveUp[] = [];
    const stream = client.stream({ batchMaxEvents: 2, lingerMs: 0, maxUnackedBatches: 1, maxAgeMs: 300, onGiveUp: (giveUp) => gaveUp.push(giveUp) });
    const started = Date.now();
    for (const message of messages(4)) stream.write({ message });
    await stream.flush();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(gaveUp.every((giveUp) => giveUp.cause === 'max_age')).toBe(true);
    expect(gaveUp.flatMap((giveUp) => giveUp.failures.map((failure) => failure.event.message)).sort()).toEqual(messages(4));
    expect(gaveUp[0]!.failures[0]!.reason).toMatch(/^not acknowledged within maxAgeMs \(300 ms; last: (no connection to 127\.0\.0\.1:\d+ yet|cannot connect to 127\.0\.0\.1:\d+)/);
  });

  it('reconnects with capped exponential backoff while streams are refused (UNAUTHENTICATED), then delivers', async () => {
    const { peer, stream } = await setUp();
    peer.refuseStreams = { code: Status.UNAUTHENTICATED, details: 'unknown API key' };
    const disconnects: Array<{ at: number; message: string }> = [];
    stream.on('disconnect', (error) => disconnects.push({ at: Date.now(), message: error.message }));
    stream.write({ message: 'x' });
    await until(() => disconnects.length >= 5, 5_000);
    expect(disconnects[0]!.message).toBe('UNAUTHENTICATED: unknown API key');
    const gaps = disconnects.slice(1, 5).map((disconnect, i) => disconnect.at - disconnects[i]!.at);
    // jitter 0: 20, 40, 80, 160 ms (plus connection time), never above the 200 ms cap by much.
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[3]).toBeGreaterThanOrEqual(150);
    expect(Math.max(...gaps)).toBeLessThan(1_000);
    peer.refuseStreams = undefined;
    await stream.flush();
    expect(peer.streamedEvents().map((event) => event.message)).toEqual(['x']);
  });

  it('close() flushes and waits for the acks', async () => {
    const { peer, stream } = await setUp({ batchMaxEvents: 100, lingerMs: 10_000 });
    for (const message of messages(7)) stream.write({ message });
    const result = await stream.close({ timeoutMs: 5_000 });
    expect(result).toEqual({ accepted: 7, gaveUp: 0 });
    expect(peer.streamedEvents()).toHaveLength(7);
    expect(() => stream.write({ message: 'late' })).toThrow(/write after close/);
  });

  it('close() gives up on what is unacknowledged at its deadline and releases blocked writers', async () => {
    const { peer, stream, gaveUp } = await setUp({ batchMaxEvents: 2, maxUnackedBatches: 1 });
    peer.answer = () => ({ kind: 'hold' });
    for (const message of messages(5)) stream.write({ message });
    const blocked = stream.send({ message: 'blocked' });
    await until(() => peer.heldCount === 1);
    const started = Date.now();
    const result = await stream.close({ timeoutMs: 200 });
    await blocked;
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(result).toEqual({ accepted: 0, gaveUp: 6 });
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]!.cause).toBe('closed');
    expect(gaveUp[0]!.failures.map((failure) => failure.event.message).sort()).toEqual([...messages(5), 'blocked'].sort());
    expect(gaveUp[0]!.failures[0]!.reason).toMatch(/^close\(\) deadline of 200 ms passed/);
  });

  it('gives up on invalid or oversized events at once, without sending them', async () => {
    const { peer, stream, gaveUp } = await setUp({ batchMaxBytes: 4_096 });
    stream.write({ message: 'fine' });
    stream.write({ timestamp: new Date(Number.NaN) });
    stream.write({ fields: { big: 10n } as unknown as Record<string, unknown> });
    stream.write({ message: 'z'.repeat(5_000) });
    await stream.flush();
    expect(peer.streamedEvents().map((event) => event.message)).toEqual(['fine']);
    expect(gaveUp.map((giveUp) => [giveUp.cause, giveUp.failures[0]!.reason])).toEqual([
      ['invalid', 'timestamp: an invalid Date'],
      ['invalid', 'fields are not JSON-serialisable: Do not know how to serialize a BigInt'],
      ['invalid', 'event of about 5048 bytes is over maxEventBytes (4096)'],
    ]);
  });

  it('opens a new stream when sluice ends one, on a connection that is still up, and delivers each event once', async () => {
    const { peer, stream } = await setUp({ batchMaxEvents: 1, lingerMs: 0 });
    peer.endAfterAck = true;
    let disconnects = 0;
    stream.on('disconnect', () => (disconnects += 1));
    for (const message of messages(5)) {
      stream.write({ message });
      await stream.flush();
    }
    expect(disconnects).toBeGreaterThanOrEqual(4);
    expect(peer.streamsOpened).toBeGreaterThanOrEqual(5);
    expect(peer.streamedEvents().map((event) => event.message)).toEqual(messages(5));
    // A batch written in the moment between the server's end and its status arriving is sent again on the next stream.
    expect(stream.stats()).toMatchObject({ accepted: 5, gaveUp: 0 });
  });

  it('client.send uses one default stream; client.close flushes it', async () => {
    const peer = new IngestPeer();
    peers.push(peer);
    await peer.start();
    const client = new IngestClient({ address: peer.address, stream: { lingerMs: 5 } });
    for (const message of messages(3)) await client.send({ message, level: 'info' });
    expect(await client.close()).toEqual({ accepted: 3, gaveUp: 0 });
    expect(peer.streamedEvents().map((event) => [event.message, event.level])).toEqual(messages(3).map((message) => [message, 'info']));
  });
});
