import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { KAFKA_BROKERS } from '../../services/coordinates';
import { splitFileLines } from '../baseline';
import { expectEvents, timed, type Scenario } from '../scenario';
import { countAndDrop, KAFKA_BENCH, prepareInput, setupRun, type KafkaBenchInput } from './kafka_load';

const topic = `bench-baseline-kafka-produce-${process.pid}`;
let input: KafkaBenchInput = { path: '', bytes: 0, lines: 0 };

/**
 * The reference for `file_to_kafka`: a minimal script on the bare kafkajs producer. Same file,
 * 1 MiB reads, `JSON.parse` per line and `JSON.stringify` as the value (the same work as
 * parse → encode), `producer.send` of the same number of keyless messages (kafkajs spreads
 * them round-robin and sends one request per broker) with the same number in flight, acks -1.
 */
export const scenario: Scenario = {
  name: 'baseline_kafka_produce',
  description: `bare kafkajs: same file, JSON.parse → JSON.stringify, producer.send of ${KAFKA_BENCH.batchEvents} messages, ${KAFKA_BENCH.concurrency} in flight, acks -1 (no sluice)`,
  bytesBasis: 'file bytes',
  prepare: prepareInput,
  async setup() {
    input = await setupRun(topic);
  },
  async run() {
    const kafka = new Kafka({ clientId: 'sluice-bench-baseline', brokers: [...KAFKA_BROKERS], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    let sent = 0;
    const inFlight = new Set<Promise<void>>();
    const flush = async (messages: Message[]): Promise<void> => {
      while (inFlight.size >= KAFKA_BENCH.concurrency) await Promise.race(inFlight);
      const request = producer.send({ topic, acks: -1, messages }).then(() => {
        sent += messages.length;
      });
      const tracked = request.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    };
    const { durationMs, cpuMs } = await timed(async () => {
      let pending: Message[] = [];
      let queue = Promise.resolve();
      await splitFileLines(input.path, (buf, starts, ends) => {
        for (let i = 0; i < starts.length; i++) {
          pending.push({ value: JSON.stringify(JSON.parse(buf.toString('utf8', starts[i], ends[i]))) });
          if (pending.length === KAFKA_BENCH.batchEvents) {
            const full = pending;
            pending = [];
            queue = queue.then(() => flush(full));
          }
        }
      });
      if (pending.length > 0) {
        const rest = pending;
        queue = queue.then(() => flush(rest));
      }
      await queue;
      await Promise.all(inFlight);
    });
    await producer.disconnect();
    expectEvents('baseline_kafka_produce', sent, input.lines);
    expectEvents('baseline_kafka_produce (messages in the topic)', await countAndDrop(topic), input.lines);
    return { events: sent, bytes: input.bytes, durationMs, cpuMs };
  },
};
