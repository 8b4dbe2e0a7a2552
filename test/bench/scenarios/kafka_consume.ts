import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_BROKERS } from '../../services/coordinates';
import { assertReachable } from '../../services/reachable';
import { CLI_NODE_ARGS } from '../cli';
import type { ProbeReport } from '../cli-probe';
import { ndjsonHeadFixture } from '../fixtures';
import { expectEvents, scaled, type Measurement } from '../scenario';
import { freePort } from './baseline_http_decode';

/**
 * What the kafka_to_blackhole scenarios share: a 6-partition topic holding the NDJSON
 * fixture's first lines (~200 bytes each), one JSON message per line, produced once by the
 * bare kafkajs producer and kept between runs (named by its size, checked by its offsets).
 */
export const KAFKA_CONSUME = { lines: scaled(1_000_000), partitions: 6 } as const;
export const KAFKA_CONSUME_TOPIC = `bench-kafka-consume-${KAFKA_CONSUME.lines}`;
const TOPIC = KAFKA_CONSUME_TOPIC;

const client = (): Kafka => new Kafka({ clientId: 'sluice-bench', brokers: [...KAFKA_BROKERS], logLevel: logLevel.NOTHING });

/** The topic's message count and value bytes; produced unless it already holds the input. */
export async function consumeInput(): Promise<{ bytes: number; lines: number }> {
  await assertReachable('Kafka (bench)', KAFKA_BROKERS[0]);
  const lines = readFileSync(ndjsonHeadFixture(KAFKA_CONSUME.lines), 'utf8').split('\n').filter((line) => line.length > 0);
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
  const kafka = client();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const held = await admin.fetchTopicOffsets(TOPIC).then((offsets) => offsets.reduce((sum, partition) => sum + Number(partition.high), 0), () => -1);
    if (held === lines.length) return { bytes, lines: lines.length };
    await admin.deleteTopics({ topics: [TOPIC] }).catch(() => undefined);
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: KAFKA_CONSUME.partitions }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < lines.length; i += 10_000) await producer.send({ topic: TOPIC, acks: 1, messages: lines.slice(i, i + 10_000).map((value) => ({ value })) });
    await producer.disconnect();
    return { bytes, lines: lines.length };
  } finally {
    await admin.disconnect();
  }
}

/** `sluice_component_sent_events_total` of component `out`, from one instance's API. */
async function sentEvents(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const match = /^sluice_component_sent_events_total\{[^}]*component_id="out"[^}]*\} (\S+)$/m.exec(text);
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0; // not listening yet
  }
}

/**
 * `instances` CLI processes (`sluice run`) in one fresh consumer group: kafka source (json)
 * → blackhole, timed from the first spawn until the blackholes together counted every
 * message; then each is stopped with SIGTERM. CPU and peak RSS are summed over the processes.
 */
export async function consumeWith(instances: number, input: { bytes: number; lines: number }): Promise<Measurement> {
  const work = mkdtempSync(join(tmpdir(), 'sluice-bench-kafka-'));
  const group = `bench-${process.pid}-${Date.now()}`;
  try {
    const members = [];
    const started = performance.now();
    for (let i = 0; i < instances; i++) {
      const port = await freePort();
      const dir = join(work, `m${i}`);
      const config = join(work, `m${i}.yaml`);
      writeFileSync(
        config,
        `data_dir: ${JSON.stringify(dir)}
api: { address: "127.0.0.1:${port}" }
sources:
  bus:
    type: kafka
    brokers: [${KAFKA_BROKERS.join(', ')}]
    topics: [${TOPIC}]
    group_id: ${group}
    max_in_flight_events: 100000
    max_in_flight_bytes: 64MiB
    partitions_concurrently: ${KAFKA_CONSUME.partitions}
sinks:
  out:
    type: blackhole
    inputs: [bus]
    batch: { max_events: 10000 }
`,
      );
      const probe = join(work, `m${i}.probe.json`);
      const child = spawn(process.execPath, [...CLI_NODE_ARGS, 'run', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SLUICE_BENCH_PROBE: probe } });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-16_384)));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      members.push({ child, port, probe, exited, stderr: () => stderr });
    }
    let sent = 0;
    while (sent < input.lines) {
      const early = members.find((member) => member.child.exitCode !== null);
      if (early) throw new Error(`sluice exited early; stderr ends:\n${early.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      sent = (await Promise.all(members.map((member) => sentEvents(member.port)))).reduce((sum, count) => sum + count, 0);
    }
    const durationMs = performance.now() - started;
    for (const member of members) member.child.kill('SIGTERM');
    let cpuMs = 0;
    let peakRssMiB = 0;
    for (const member of members) {
      if ((await member.exited) !== 0) throw new Error(`sluice did not stop cleanly; stderr ends:\n${member.stderr()}`);
      const usage = JSON.parse(readFileSync(member.probe, 'utf8')) as ProbeReport;
      cpuMs += usage.cpuMs;
      peakRssMiB += usage.peakRssMiB;
    }
    expectEvents(`kafka_to_blackhole x${instances}`, sent, input.lines);
    return { events: sent, bytes: input.bytes, durationMs, cpuMs, peakRssMiB };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
