import { status as Status } from '@grpc/grpc-js';
import { IngestClient, PushError } from '../../../src/client';
import { IngestPeer } from './ingest-peer';

describe('IngestClient.push against a real gRPC server', () => {
  const peer = new IngestPeer();
  let client: IngestClient;

  beforeAll(async () => {
    await peer.start();
    client = new IngestClient({ address: peer.address, apiKey: 'k-123', metadata: { 'x-team': 'payments' } });
  });
  afterAll(async () => {
    await client.close();
    await peer.stop();
  });
  beforeEach(() => {
    peer.answer = () => ({ kind: 'ack' });
  });

  it('sends typed events in one request with the API key as a bearer token', async () => {
    const at = new Date('2026-12-02T10:11:12.345Z');
    const result = await client.push([
      { message: 'hello', timestamp: at, level: 'info', host: 'web-1', source: 'checkout', fields: { user: 42, tags: ['a'], nested: { ok: true } } },
      { message: 'epoch ms', timestamp: at.getTime(), level: 50 },
      { message: 'iso', timestamp: '2026-12-02T10:11:12.345+01:00' },
      {},
    ]);
    expect(result).toEqual({ accepted: 4, rejected: [] });
    const request = peer.pushed.at(-1)!;
    expect(request.metadata.get('authorization')).toEqual(['Bearer k-123']);
    expect(request.metadata.get('x-team')).toEqual(['payments']);
    const [first, second, third, fourth] = request.events;
    expect(first).toMatchObject({ message: 'hello', level: 'info', host: 'web-1', source: 'checkout', timestamp: { seconds: Math.floor(at.getTime() / 1000), nanos: 345_000_000 } });
    expect(JSON.parse(first!.fields_json!.toString())).toEqual({ user: 42, tags: ['a'], nested: { ok: true } });
    expect(second).toMatchObject({ message: 'epoch ms', level: 'error', timestamp: { seconds: Math.floor(at.getTime() / 1000), nanos: 345_000_000 } });
    expect(third!.timestamp).toEqual({ seconds: Math.floor(at.getTime() / 1000) - 3600, nanos: 345_000_000 });
    expect(fourth).toEqual({});
  });

  it('reports events it cannot encode by their index without sending them, and maps server rejections back to the caller’s indices', async () => {
    peer.answer = () => ({ kind: 'ack', rejected: [{ index: 2, reason: 'level: too long', retryable: false }] });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const events = [{ message: 'ok 0' }, { timestamp: 'yesterday-ish' }, { message: 'ok 2' }, { fields: circular }, { message: 'rejected by server', level: 'x'.repeat(40) }];
    const result = await client.push(events);
    expect(peer.pushed.at(-1)!.events.map((event) => event.message)).toEqual(['ok 0', 'ok 2', 'rejected by server']);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map(({ index, retryable }) => ({ index, retryable }))).toEqual([
      { index: 1, retryable: false },
      { index: 3, retryable: false },
      { index: 4, retryable: false },
    ]);
    expect(result.rejected[0]!.reason).toMatch(/^timestamp: not an RFC 3339/);
    expect(result.rejected[1]!.reason).toMatch(/not JSON-serialisable/);
    expect(result.rejected[2]).toMatchObject({ reason: 'level: too long', event: events[4] });
  });

  it('sends nothing when every event is invalid', async () => {
    const before = peer.pushed.length;
    const result = await client.push([{ message: 42 as unknown as string }, { level: true as unknown as string }]);
    expect(result.accepted).toBe(0);
    expect(result.rejected.map((rejection) => rejection.reason)).toEqual(['message must be a string, got number', 'level must be a string or number, got boolean']);
    expect(peer.pushed.length).toBe(before);
  });

  it('rejects with a retryable PushError when sluice cannot be reached', async () => {
    const down = new IngestClient({ address: '127.0.0.1:1', connectTimeoutMs: 500 });
    const error = await down.push([{ message: 'x' }], { timeoutMs: 1_000 }).catch((caught: unknown) => caught);
    await down.close();
    expect(error).toBeInstanceOf(PushError);
    expect((error as PushError).code).toBe(Status.UNAVAILABLE);
    expect((error as PushError).retryable).toBe(true);
  });

  it('refuses bad options with an error naming the option', () => {
    expect(() => new IngestClient({ address: 'localhost' })).toThrow(/address must be "host:port"/);
    expect(() => new IngestClient({ address: 'localhost:1', apiKey: 'has space' })).toThrow(/apiKey/);
    expect(() => new IngestClient({ address: 'localhost:1', tls: { cert: 'x' } })).toThrow(/needs both cert and key/);
    expect(() => new IngestClient({ address: 'localhost:1', backoff: { multiplier: 0.5 } })).toThrow(/multiplier/);
    expect(() => client.stream({ batchMaxBytes: 1 << 20, maxUnackedBytes: 1024 })).toThrow(/maxUnackedBytes/);
  });
});
