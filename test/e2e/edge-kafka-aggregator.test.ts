import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { KAFKA_BROKERS } from '../services/coordinates';
import { assertReachable } from '../services/reachable';
import { createTopics, testClient } from '../integration/kafka-sink-helpers';
import { produce, uniqueName } from '../integration/kafka-source-helpers';
import { assertBuilt, eventually, freePort, killLeftovers, readEvents, removeTempDirs, ROOT, runCli, startCli, tempDir } from './cli-harness';

const kafka = testClient();
let admin: Admin;

beforeAll(async () => {
  assertBuilt();
  await assertReachable('Kafka', KAFKA_BROKERS[0]);
  admin = kafka.admin();
  await admin.connect();
});
afterEach(killLeftovers);
afterAll(async () => {
  removeTempDirs();
  await admin?.disconnect();
});

const LINES = 3000;

describe('config/examples: edge-to-kafka → Kafka → kafka-aggregator, as written', () => {
  it('carries every line of a file from the edge through Kafka into the aggregator\'s hourly files, errors also apart, a poison message to the dead-letter queue', async () => {
    const dir = tempDir('sluice-edge-agg-');
    const topic = uniqueName('edge');
    await createTopics(admin, [{ topic, partitions: 3 }]);
    const lines = Array.from({ length: LINES }, (_, i) => (i % 100 === 7 ? `plain text line ${i}` : JSON.stringify({ seq: i, host: `web-${i % 4}`, level: i % 10 === 0 ? 'error' : 'info', message: `request ${i}` })));
    const input = join(dir, 'app.log');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const env = { KAFKA_BROKERS: KAFKA_BROKERS[0], KAFKA_TOPIC: topic };

    // The edge reads the file on stdin and exits 0 at EOF once Kafka has every event.
    const edge = await runCli([], {
      shell: `node dist/src/cli/main.js run -c config/examples/edge-to-kafka.yaml < ${input}`,
      env: { ...env, SLUICE_DATA_DIR: join(dir, 'edge'), SLUICE_API_ADDRESS: `127.0.0.1:${await freePort()}` },
    });
    expect({ code: edge.code, stderr: edge.code === 0 ? '' : edge.stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });
    // Something else on the topic that is not an event: it must not block its partition.
    await produce(kafka, topic, [{ partition: 1, value: 'garbage, not JSON' }]);

    const out = join(dir, 'out');
    const aggregator = startCli(['run', '-c', join(ROOT, 'config/examples/kafka-aggregator.yaml')], {
      env: { ...env, KAFKA_GROUP: uniqueName('aggregators'), SLUICE_DATA_DIR: join(dir, 'agg'), SLUICE_OUTPUT_DIR: out, SLUICE_API_ADDRESS: `127.0.0.1:${await freePort()}` },
    });
    await eventually(() => (readEvents(join(out, 'all')).length >= LINES ? true : undefined), 60_000, `${LINES} events in ${out}/all`);
    aggregator.child.kill('SIGTERM');
    const exit = await aggregator.exited;
    expect({ code: exit.code, stderr: exit.code === 0 ? '' : exit.stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });

    const all = readEvents(join(out, 'all'));
    expect(all).toHaveLength(LINES);
    const seqs = all.filter((event) => typeof event.seq === 'number').map((event) => event.seq as number);
    expect(new Set(seqs).size).toBe(LINES - LINES / 100);
    expect(all.filter((event) => Array.isArray(event.tags) && event.tags.includes('json_parse_error'))).toHaveLength(LINES / 100);
    // The coordinates of each event travel with it; one host's lines share a partition (key: host).
    const partitionsOfHost = new Map<string, Set<number>>();
    for (const event of all) {
      const { partition, topic: from } = event.kafka as { partition: number; topic: string };
      expect(from).toBe(topic);
      if (typeof event.host === 'string') partitionsOfHost.set(event.host, (partitionsOfHost.get(event.host) ?? new Set()).add(partition));
    }
    expect([...partitionsOfHost.values()].every((partitions) => partitions.size === 1)).toBe(true);
    expect(readEvents(join(out, 'errors')).map((event) => event.seq).sort((a, b) => Number(a) - Number(b))).toEqual(seqs.filter((seq) => seq % 10 === 0).sort((a, b) => a - b));

    const dlq = await runCli(['dlq', 'stats', '--json', '--path', join(dir, 'agg', 'dead_letter', 'bus')]);
    expect(JSON.parse(dlq.stdout)).toMatchObject({ entries: 1 });
  }, 120_000);
});
