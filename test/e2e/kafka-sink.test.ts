import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { KAFKA_BROKERS } from '../services/coordinates';
import { assertReachable } from '../services/reachable';
import { consume, createTopics, testClient, topicName } from '../integration/kafka-sink-helpers';
import { assertBuilt, CLI, killLeftovers, removeTempDirs, startCli, tempDir, writeConfig } from './cli-harness';
import { note } from '../helpers/notes';

const kafka = testClient();
let admin: Admin;
const topics: string[] = [];

beforeAll(async () => {
  assertBuilt();
  await assertReachable('Kafka', KAFKA_BROKERS[0]);
  admin = kafka.admin();
  await admin.connect();
});
afterEach(killLeftovers);
afterAll(async () => {
  removeTempDirs();
  await admin?.deleteTopics({ topics }).catch(() => undefined);
  await admin?.disconnect();
});

describe('sluice run: a file piped into stdin, produced to Kafka', () => {
  it('delivers every line exactly as parsed, routed by field, before exiting 0 at EOF', async () => {
    const main = topicName('e2e-main');
    const errors = topicName('e2e-errors');
    topics.push(main, errors);
    await createTopics(admin, [
      { topic: main, partitions: 3 },
      { topic: errors, partitions: 1 },
    ]);
    const dir = tempDir();
    const LINES = 50_000;
    // Every 10th line is an error that names its own topic; every 7th is not JSON at all.
    const lines = Array.from({ length: LINES }, (_, i) =>
      i % 7 === 3 ? `plain text line ${i}` : JSON.stringify({ seq: i, host: `web-${i % 5}`, level: i % 10 === 0 ? 'error' : 'info', ...(i % 10 === 0 ? { route: errors } : {}) }),
    );
    const input = join(dir, 'app.log');
    writeFileSync(input, lines.join('\n') + '\n');
    const config = writeConfig(
      dir,
      `data_dir: ${join(dir, 'state')}
api:
  enabled: false
sources:
  app:
    type: stdin
transforms:
  parse:
    type: json
    inputs: [app]
sinks:
  kafka:
    type: kafka
    inputs: [parse]
    brokers: [${KAFKA_BROKERS.join(', ')}]
    topic: ${main}
    topic_field: route
    key_field: host
    compression: lz4
    batch:
      max_events: 2000
`,
    );
    const started = Date.now();
    const exit = await startCli([], { shell: `node ${CLI} run -c ${config} --log-level warn < ${input}` }).exited;
    const runSeconds = (Date.now() - started) / 1000;
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);

    const consumeStarted = Date.now();
    const got = await consume(kafka, [main, errors], LINES, 2000);
    note(`e2e kafka: sluice run ${runSeconds.toFixed(1)} s for ${LINES} lines; consumed back in ${((Date.now() - consumeStarted) / 1000).toFixed(1)} s`);
    expect(got).toHaveLength(LINES); // none lost, none duplicated
    const seen = new Set<number>();
    for (const message of got) {
      const event = JSON.parse(message.value) as { seq?: number; message?: string; route?: string; host?: string };
      const seq = event.seq ?? Number(/plain text line (\d+)/.exec(event.message ?? '')?.[1]);
      seen.add(seq);
      expect(message.topic).toBe(seq % 10 === 0 && seq % 7 !== 3 ? errors : main);
      if (event.host !== undefined) expect(message.key).toBe(event.host);
    }
    expect(seen.size).toBe(LINES);
  });
});
