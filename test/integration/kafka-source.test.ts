import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetterStore } from '../../src/dlq/store';
import { eventMeta } from '../../src/core/event';
import type { Batch } from '../../src/core/batch';
import { metricValue } from '../helpers/context';
import { KAFKA_SASL_BROKERS, KAFKA_SASL_PASSWORD, KAFKA_SASL_USERNAME } from '../services/coordinates';
import { committedOffsets, createTopics, eventually, produce, runSource, testClient, uniqueName, type Outgoing } from './kafka-source-helpers';

const kafka = testClient();
const admin = kafka.admin();

beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

const json = (partition: number, sequence: number): Outgoing => ({ partition, key: `k${sequence}`, headers: { origin: 'edge-1' }, value: JSON.stringify({ message: `event ${sequence}`, sequence }) });

describe('kafka source (real broker)', () => {
  it('consumes every partition with its coordinates, dead-letters poison messages, and commits every acknowledged offset', async () => {
    const topic = uniqueName('basic');
    const group = uniqueName('group');
    await createTopics(admin, [{ topic, partitions: 3 }]);
    const messages: Outgoing[] = [];
    for (let sequence = 0; sequence < 300; sequence++) messages.push(json(sequence % 3, sequence));
    messages.push({ partition: 0, value: 'not json {' }, { partition: 1, value: '[1, 2]' }, { partition: 2, value: null, key: 'tombstone' });
    await produce(kafka, topic, messages);

    const deadLetters = mkdtempSync(join(tmpdir(), 'sluice-kafka-dlq-'));
    const source = runSource({ topics: [topic], group_id: group, metadata_field: 'kafka', dead_letter: { path: deadLetters } });
    await eventually(() => source.count() >= 300, () => `received ${source.count()} of 300`);
    await eventually(
      async () => [...(await committedOffsets(admin, group, topic)).values()].every((offset) => offset === 101),
      () => 'the committed offsets did not reach 101 in every partition',
    );

    const events = source.batches.flatMap((batch) => batch.events);
    expect(new Set(events.map((event) => event.sequence)).size).toBe(300);
    const first = events.find((event) => event.sequence === 4);
    expect(first).toMatchObject({ message: 'event 4', kafka: { topic, partition: 1, key: 'k4', headers: { origin: 'edge-1' } } });
    expect(typeof first?.timestamp).toBe('string');
    expect(eventMeta(first ?? {})).toMatchObject({ topic, partition: 1, key: 'k4', 'header.origin': 'edge-1' });
    expect(source.batches.every((batch: Batch) => batch.meta?.input === 'kafka' && batch.meta.topic === topic)).toBe(true);

    const dead = await new DeadLetterStore({ dir: deadLetters }).read();
    expect(dead.map(({ entry }) => [entry.event.kafka, entry.error.split(' (')[0]]).sort()).toEqual(
      [
        [{ topic, partition: 0, offset: 100, timestamp: expect.any(String) }, 'value is not JSON: Unexpected token \'o\', "not json {" is not valid JSON'],
        [{ topic, partition: 1, offset: 100, timestamp: expect.any(String) }, 'value is an array, not a JSON object'],
        [{ topic, partition: 2, offset: 100, timestamp: expect.any(String), key: 'tombstone' }, 'the message has no value'],
      ].sort(),
    );
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_dead_lettered_events_total')).toBe(3);
    // Lag per assigned partition: everything fetched, so nothing left behind.
    const lag = await source.ctx.pipelineMetrics.registry.getSingleMetric('sluice_kafka_consumer_lag')?.get();
    expect(lag?.values.map((value) => [value.labels.topic, value.labels.partition, value.value]).sort()).toEqual([
      [topic, '0', 0],
      [topic, '1', 0],
      [topic, '2', 0],
    ]);
    await source.stop();
  });

  it('never commits past a batch whose ack is held, and commits it once the ack resolves', async () => {
    const topic = uniqueName('held');
    const group = uniqueName('group');
    await createTopics(admin, [{ topic, partitions: 1 }]);
    const held: Batch[] = [];
    const source = runSource({ topics: [topic], group_id: group }, {}, (batch) => (held.length === 0 ? held.push(batch) : batch.ack.resolve()));
    await produce(kafka, topic, Array.from({ length: 50 }, (_, i) => json(0, i)));
    await eventually(() => source.count() === 50, () => `received ${source.count()} of the first 50`);
    await produce(kafka, topic, Array.from({ length: 50 }, (_, i) => json(0, 50 + i)));
    await eventually(() => source.count() === 100, () => `received ${source.count()} of 100`);

    // Several commit intervals pass: the later batch is acknowledged, the first is not.
    await new Promise((wake) => setTimeout(wake, 1000));
    expect((await committedOffsets(admin, group, topic)).get(0)).toBe(-1);
    held[0]?.ack.resolve();
    await eventually(async () => (await committedOffsets(admin, group, topic)).get(0) === 100, () => 'the offset did not reach 100 once the held batch resolved');
    await source.stop();
  });

  it('pauses fetching when credit runs out instead of buffering, and resumes when acks return it', async () => {
    const topic = uniqueName('credit');
    const group = uniqueName('group');
    await createTopics(admin, [{ topic, partitions: 1 }]);
    // Record batches of 25 messages: a fetch returns whole record batches, at least one.
    await produce(kafka, topic, Array.from({ length: 2000 }, (_, i) => json(0, i)), 25);
    const held: Batch[] = [];
    const source = runSource({ topics: [topic], group_id: group, max_bytes_per_partition: '2KiB' }, { maxEvents: 100 }, (batch) => held.push(batch));
    await eventually(() => source.count() >= 100, () => `received ${source.count()}`);
    await new Promise((wake) => setTimeout(wake, 1500));
    // Beyond the 100 events of credit, at most what one fetch had brought (2 KiB: a few record batches of 25).
    expect(source.count()).toBeLessThanOrEqual(100 + 100);
    expect(source.ctx.credit.inFlightEvents).toBe(source.count());

    const release = setInterval(() => held.splice(0).forEach((batch) => batch.ack.resolve()), 20);
    try {
      await eventually(() => source.count() === 2000, () => `received ${source.count()} of 2000 after the acks returned credit`);
    } finally {
      clearInterval(release);
    }
    held.splice(0).forEach((batch) => batch.ack.resolve());
    await source.stop();
    expect((await committedOffsets(admin, group, topic)).get(0)).toBe(2000);
  });

  it('subscribes to topics by regular expression', async () => {
    const prefix = uniqueName('rx');
    await createTopics(admin, [{ topic: `${prefix}-a` }, { topic: `${prefix}-b` }]);
    await produce(kafka, `${prefix}-a`, [json(0, 1)]);
    await produce(kafka, `${prefix}-b`, [json(0, 2)]);
    const source = runSource({ topics: [`/^${prefix}-[ab]$/`], group_id: uniqueName('group') });
    await eventually(() => source.count() === 2, () => `received ${source.count()} of 2`);
    expect(source.batches.map((batch) => batch.meta?.topic).sort()).toEqual([`${prefix}-a`, `${prefix}-b`]);
    await source.stop();
  });

  it.each(['plain', 'scram-sha-512'])('consumes through the SASL listener with %s, and refuses to start with a wrong password, saying why', async (mechanism) => {
    const topic = uniqueName(`sasl-${mechanism}`);
    await createTopics(admin, [{ topic }]);
    await produce(kafka, topic, [json(0, 1), json(0, 2)]);
    const sasl = { mechanism, username: KAFKA_SASL_USERNAME, password: KAFKA_SASL_PASSWORD };
    const source = runSource({ brokers: [...KAFKA_SASL_BROKERS], topics: [topic], group_id: uniqueName('group'), sasl });
    await eventually(() => source.count() === 2, () => `received ${source.count()} of 2`);
    await source.stop();

    const refused = runSource({ brokers: [...KAFKA_SASL_BROKERS], topics: [topic], group_id: uniqueName('group'), connection_timeout: '2s', sasl: { ...sasl, password: 'wrong-password' } });
    await expect(refused.completed).rejects.toThrow(/source "kin": cannot join consumer group .*(SASL|authentic)/i);
  });
});
