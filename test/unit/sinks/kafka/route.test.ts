import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { DeliveryError } from '../../../../src/core/errors';
import type { LogEvent } from '../../../../src/core/event';
import type { TopicInfo } from '../../../../src/sinks/kafka/metadata';
import { Partitioner } from '../../../../src/sinks/kafka/partitioner';
import { Router, type RerouteReason, type RouterOptions } from '../../../../src/sinks/kafka/route';

const partitions = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: leaderless.includes(partitionId) ? -1 : 1, replicas: [1], isr: [1] }));

const json = (event: LogEvent): string => JSON.stringify(event);

function router(options: Partial<RouterOptions> & { topics?: Record<string, TopicInfo | Error> } = {}) {
  const topics = options.topics ?? { logs: { state: 'ok', partitions: partitions(1) } };
  const lookups: string[] = [];
  const reroutes: Array<[RerouteReason, number]> = [];
  const route = new Router({
    topic: 'logs',
    maxTopics: 100,
    maxRequestBytes: 1024 * 1024,
    encode: json,
    partitioner: new Partitioner('hash'),
    lookup: async (topic) => {
      lookups.push(topic);
      const info = topics[topic] ?? { state: 'missing', reason: 'unknown topic' };
      if (info instanceof Error) throw info;
      return info;
    },
    onReroute: (reason, count) => reroutes.push([reason, count]),
    ...options,
  });
  return { route, lookups, reroutes };
}

/** topic/partition → the messages (values) of its requests. */
function layout(routed: Awaited<ReturnType<Router['route']>>): Record<string, string[][]> {
  const out: Record<string, string[][]> = {};
  for (const requests of routed.partitions) out[`${requests[0].topic}/${requests[0].partition}`] = requests.map((r) => r.messages.map((m) => m.value as string));
  return out;
}

describe('Router: topics', () => {
  const ok = { state: 'ok', partitions: partitions(1) } as const;

  it('sends everything to `topic` without topic_field, one request', async () => {
    const { route } = router();
    const routed = await route.route([{ message: 'a' }, { message: 'b' }]);
    expect(layout(routed)).toEqual({ 'logs/0': [['{"message":"a"}', '{"message":"b"}']] });
    expect(routed.failures).toEqual([]);
  });

  it('routes by field, falling back for missing, invalid, unknown and over-the-bound topics, in event order', async () => {
    const { route, reroutes } = router({ topicField: 't', maxTopics: 3, topics: { logs: ok, a: ok, b: ok, c: ok } });
    const events: LogEvent[] = [{ message: '0', t: 'a' }, { message: '1' }, { message: '2', t: 'bad topic!' }, { message: '3', t: 'ghost' }, { message: '4', t: 'c' }, { message: '5', t: 'a' }, { message: '6', t: 42 }];
    const routed = await route.route(events);
    const values = (key: string): string[] => (layout(routed)[key] ?? []).flat().map((v) => (JSON.parse(v) as LogEvent).message as string);
    // maxTopics 3 = logs, a and ghost (admitted first); c is over the bound; ghost does not exist.
    expect(values('a/0')).toEqual(['0', '5']);
    expect(values('logs/0')).toEqual(['1', '2', '3', '4', '6']);
    expect(values('c/0')).toEqual([]);
    expect(reroutes.sort()).toEqual([['invalid_topic', 1], ['missing_field', 2], ['topic_limit', 1], ['unknown_topic', 1]]);
  });

  it('keeps the bound across batches: a topic admitted once stays, a new one past the bound goes to the fallback', async () => {
    const { route } = router({ topicField: 't', maxTopics: 2, topics: { logs: ok, a: ok, b: ok } });
    await route.route([{ t: 'a' }]);
    expect(Object.keys(layout(await route.route([{ t: 'b' }, { t: 'a' }])))).toEqual(['logs/0', 'a/0']);
  });

  it('fails the events of a topic whose metadata cannot be read retryably, and of a refusing topic permanently; the rest go', async () => {
    const outage = new DeliveryError('kafka metadata of topic a: Connection error', true);
    const refused = new DeliveryError('kafka metadata of topic b: TOPIC_AUTHORIZATION_FAILED: Not authorized', false);
    const { route } = router({ topicField: 't', topics: { logs: ok, a: outage, b: { state: 'refused', error: refused, errorType: 'topic_authorization_failed' } } });
    const routed = await route.route([{ t: 'a' }, { t: 'b' }, { message: 'fine' }]);
    expect(routed.failures).toEqual([
      { index: 0, error: outage, retryable: true },
      { index: 1, error: refused, retryable: false },
    ]);
    expect(layout(routed)).toEqual({ 'logs/0': [['{"message":"fine"}']] });
  });

  it('fails retryably while the fallback topic itself is gone (it is waited for, not dropped)', async () => {
    const { route } = router({ topics: {} });
    const { failures } = await route.route([{ message: 'x' }]);
    expect(failures).toEqual([{ index: 0, error: expect.objectContaining({ message: 'kafka topic logs does not exist (unknown topic)' }), retryable: true }]);
  });
});

describe('Router: messages', () => {
  it('takes the key and headers from fields, as text or JSON, leaving missing ones out', async () => {
    const { route } = router({ keyField: 'user.id', headers: { svc: 'service', code: 'http.status', tags: 'tags' } });
    const routed = await route.route([{ user: { id: 7 }, service: 'api', http: { status: 503 }, tags: ['a'] }, { message: 'bare' }]);
    const [messages] = routed.partitions[0].map((r) => r.messages);
    expect(messages[0]).toMatchObject({ key: '7', headers: { svc: 'api', code: '503', tags: '["a"]' }, partition: 0 });
    expect(messages[1]).toEqual({ key: null, value: '{"message":"bare"}', partition: 0 });
  });

  it('fails an event that cannot be encoded alone, permanently', async () => {
    const { route } = router();
    const routed = await route.route([{ message: 'ok' }, { message: 'bad', n: 1n as unknown as number }]);
    expect(routed.failures).toEqual([{ index: 1, error: expect.objectContaining({ message: expect.stringContaining('event cannot be encoded') }), retryable: false }]);
    expect(routed.partitions[0][0].indices).toEqual([0]);
  });

  it('cuts a partition into requests of at most max_request_bytes, and fails a message larger than that alone', async () => {
    const { route } = router({ maxRequestBytes: 1100 });
    const events = [...Array.from({ length: 5 }, (_, i) => ({ message: `${i}`.repeat(400) })), { message: 'x'.repeat(2000) }, { message: 'tail' }];
    const routed = await route.route(events);
    expect(routed.partitions).toHaveLength(1);
    expect(routed.partitions[0].map((r) => r.indices)).toEqual([[0, 1], [2, 3], [4, 6]]);
    for (const request of routed.partitions[0]) expect(request.bytes).toBeLessThanOrEqual(1100);
    expect(routed.failures).toEqual([{ index: 5, error: expect.objectContaining({ message: expect.stringMatching(/message is \d+ bytes, more than max_request_bytes \(1100\)/) }), retryable: false }]);
  });
});

describe('Partitioner', () => {
  const four = partitions(4);

  it('hash: the Java client partition of each key (murmur2); keyless events rotate', () => {
    const ours = new Partitioner('hash');
    const java = Partitioners.DefaultPartitioner();
    for (const key of ['alpha', 'beta', 'gamma', 'user-1', '']) expect(ours.choose('t', four, key, {})).toBe(java({ topic: 't', partitionMetadata: four, message: { key, value: null } }));
    const keyless = Array.from({ length: 8 }, () => ours.choose('t', four, null, {}));
    expect(new Set(keyless).size).toBe(4);
  });

  it('round_robin: every partition with a leader in turn, skipping leaderless ones', () => {
    const ours = new Partitioner('round_robin');
    const chosen = Array.from({ length: 9 }, () => ours.choose('t', partitions(4, [2]), 'key-ignored', {}) as number);
    expect(chosen.filter((p) => p === 2)).toEqual([]);
    for (const p of [0, 1, 3]) expect(chosen.filter((c) => c === p)).toHaveLength(3);
  });

  it('random: uniformly over partitions with a leader', () => {
    const draws = [0, 0.3, 0.6, 0.99];
    const ours = new Partitioner('random', undefined, () => draws.shift() as number);
    expect(Array.from({ length: 4 }, () => ours.choose('t', partitions(4, [1]), null, {}))).toEqual([0, 0, 2, 3]); // of [0, 2, 3]: 0·3, 0.3·3, 0.6·3, 0.99·3
  });

  it('manual: the partition in the field (a number or digits), or why not', () => {
    const ours = new Partitioner('manual', ['route', 'p']);
    expect(ours.choose('t', four, null, { route: { p: 3 } })).toBe(3);
    expect(ours.choose('t', four, null, { route: { p: '2' } })).toBe(2);
    expect(ours.choose('t', four, null, {})).toEqual({ problem: 'partition_field route.p is missing' });
    expect(ours.choose('t', four, null, { route: { p: 1.5 } })).toEqual({ problem: 'partition_field route.p is not a partition number: 1.5' });
    expect(ours.choose('t', four, null, { route: { p: 'x' } })).toEqual({ problem: 'partition_field route.p is not a partition number: "x"' });
    expect(ours.choose('t', four, null, { route: { p: 4 } })).toEqual({ problem: 'partition 4 (from route.p) does not exist: topic t has 4 partition(s)' });
  });
});
