import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, PipelineMetrics } from '../../src/index';
import { BREAKER_STATE_METRIC } from '../../src/transforms/circuit-breaker';
import { metricValue } from '../helpers/context';
import { PrivateServer } from '../services/private-instance';
import { consume, createTopics, testClient } from './kafka-sink-helpers';
import { note } from '../helpers/notes';

/**
 * A Kafka outage under steady load (issue 11, "What must show it"), on a PRIVATE broker (the
 * shared one serves every other test): a generator feeds a kafka sink (memory buffer, retry,
 * circuit breaker) and a second sink on the same input; the broker is killed for
 * SLUICE_OUTAGE_SECONDS (default 30) and started again on its data. Every event the source
 * saw acknowledged must be in the topic (duplicates counted), the breaker must open and close
 * again, the backlog must drain, and the second sink must keep its rate during the outage.
 */

const OUTAGE_SECONDS = Number(process.env.SLUICE_OUTAGE_SECONDS ?? '30');
const RATE = 1000; // events per second
const BEFORE_SECONDS = 5;
const AFTER_SECONDS = 10;
const COUNT = RATE * (BEFORE_SECONDS + OUTAGE_SECONDS + AFTER_SECONDS);
const PORT = 29192;
const TOPIC = 'outage';

jest.setTimeout((OUTAGE_SECONDS + 150) * 1000);

let broker: PrivateServer | undefined;

afterAll(async () => {
  await broker?.destroy();
});

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

it(`loses nothing acknowledged through a ${OUTAGE_SECONDS} s broker outage; the breaker opens and closes, the backlog drains, the sibling sink keeps its rate`, async () => {
  broker = await PrivateServer.start('kafka', { name: 'kafka-sink-outage', port: PORT });
  const kafka = testClient({ brokers: broker.brokers });
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, [{ topic: TOPIC, partitions: 3 }]);
  await admin.disconnect();

  const metrics = new PipelineMetrics();
  const pipeline = Pipeline.create(
    {
      data_dir: mkdtempSync(join(tmpdir(), 'sluice-kafka-outage-')),
      api: { enabled: false },
      sources: { gen: { type: 'generator', count: COUNT, rate: RATE, batch_size: 100, format: 'json' } },
      sinks: {
        stream: {
          type: 'kafka',
          inputs: ['gen'],
          brokers: broker.brokers,
          topic: TOPIC,
          connection_timeout: '1s',
          request_timeout: '10s',
          batch: { max_events: 1000, timeout: '100ms' },
          buffer: { mode: 'memory', max_events: COUNT },
          retry: { initial: '200ms', max: '2s' },
          circuit_breaker: { failure_threshold: 3, reset_timeout: '2s' },
        },
        side: { type: 'blackhole', inputs: ['gen'] },
      },
    },
    { metrics },
  );
  const count = (name: string, id: string): Promise<number> => metricValue(metrics, name, { component_id: id });
  const running = pipeline.run();

  await sleep(BEFORE_SECONDS * 1000);
  const sideBefore = await count('sluice_component_sent_events_total', 'side');
  const streamBefore = await count('sluice_component_sent_events_total', 'stream');
  await broker.stop();
  const outageStarted = Date.now();
  const breakerStates = new Set<number>();
  while (Date.now() - outageStarted < OUTAGE_SECONDS * 1000) {
    breakerStates.add(await count(BREAKER_STATE_METRIC, 'stream'));
    await sleep(200);
  }
  const outageSeconds = (Date.now() - outageStarted) / 1000;
  const sideDuring = (await count('sluice_component_sent_events_total', 'side')) - sideBefore;
  const streamDuring = (await count('sluice_component_sent_events_total', 'stream')) - streamBefore;
  const backlog = await metricValue(metrics, 'sluice_buffer_events', { component_id: 'stream' });
  await broker.restart();
  const restarted = Date.now();
  await running; // the generator finished and every sink drained: the backlog is delivered
  const drainSeconds = (Date.now() - restarted) / 1000;

  const delivered = await count('sluice_component_sent_events_total', 'stream');
  const got = await consume(kafka, [TOPIC], COUNT, 3000);
  const sequences = new Set(got.map((message) => (JSON.parse(message.value) as { sequence: number }).sequence));
  const duplicates = got.length - sequences.size;
  const finalBreaker = await count(BREAKER_STATE_METRIC, 'stream');
  const retried = await count('sluice_component_retried_events_total', 'stream');
  const sideRate = sideDuring / outageSeconds;
  note(
    `kafka outage ${outageSeconds.toFixed(1)} s: generated ${COUNT}, in topic ${got.length} (${sequences.size} distinct, ${duplicates} duplicates), ` +
      `kafka sink sent ${delivered} (${streamDuring} during the outage), backlog at restart ${backlog} events, drained ${drainSeconds.toFixed(1)} s after restart, ` +
      `breaker states seen ${[...breakerStates].sort().join('/')} → ${finalBreaker} at the end, retried events ${retried}, ` +
      `side sink ${Math.round(sideRate)} ev/s during the outage (generator ${RATE} ev/s)`,
  );

  // Every event the source saw acknowledged (all COUNT: the run completed) is in the topic.
  expect(sequences.size).toBe(COUNT);
  for (let sequence = 0; sequence < COUNT; sequence++) if (!sequences.has(sequence)) throw new Error(`event ${sequence} is missing from the topic`);
  expect(delivered).toBeGreaterThanOrEqual(COUNT);
  // The breaker opened (1) while the broker was down, and is closed (0) at the end.
  expect(breakerStates.has(1)).toBe(true);
  expect(finalBreaker).toBe(0);
  expect(backlog).toBeGreaterThan(RATE * (OUTAGE_SECONDS / 2));
  // The sibling kept the generator's pace while the kafka sink was down.
  expect(sideRate).toBeGreaterThan(RATE * 0.9);
});
