import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CompressionCodecs, CompressionTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkaSnappy, registerKafkaCodecs } from '../../src/kafka/codecs';
import { KAFKA_BROKERS } from '../services/coordinates';
import { assertReachable } from '../services/reachable';

jest.setTimeout(180_000);

const run = promisify(execFile);
const kafka = new Kafka({ clientId: 'sluice-kafka-codecs-test', brokers: [...KAFKA_BROKERS], logLevel: logLevel.NOTHING });

/** ~400 kB per send: several 32 KiB xerial blocks and several LZ4 blocks per record batch. */
const MESSAGES = 2000;
const value = (codec: string, i: number): string =>
  JSON.stringify({ timestamp: new Date(Date.UTC(2024, 4, 1) + i).toISOString(), level: i % 7 === 0 ? 'warn' : 'info', message: `GET /api/orders/${i % 101} 200`, codec, i });

const CODECS = [
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
  ['zstd', CompressionTypes.ZSTD],
] as const;

/** Counts how often kafkajs looks a codec up, i.e. compresses or decompresses a record batch with it. */
const lookups = new Map<number, number>();
function countLookups(): void {
  const registry = CompressionCodecs as unknown as Record<number, () => unknown>;
  for (const [, type] of CODECS) {
    const factory = registry[type];
    registry[type] = () => {
      lookups.set(type, (lookups.get(type) ?? 0) + 1);
      return factory();
    };
  }
}

/** Reads `expected` message values from the start of `topic` with a kafkajs consumer. */
async function consumeValues(topic: string, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `codecs-${randomUUID()}` });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${values.length}/${expected} from ${topic} in 60 s`)), 60_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            if (values.length >= expected) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

/**
 * A Java peer on the broker's own kafka-clients jar (with snappy-java, lz4-java, zstd-jni):
 * `consume` prints every value of a topic, `produce` sends values with a compression type.
 * Run as a single-file source program; slf4j has no binding on this class path, so the
 * client logs nothing to stdout.
 */
const JAVA_PEER = `
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

public class KafkaCodecPeer {
  public static void main(String[] args) throws Exception {
    String mode = args[0], brokers = args[1], topic = args[2];
    Properties props = new Properties();
    props.put("bootstrap.servers", brokers);
    if (mode.equals("consume")) {
      int expected = Integer.parseInt(args[3]);
      props.put("group.id", "java-" + topic);
      props.put("auto.offset.reset", "earliest");
      props.put("enable.auto.commit", "false");
      props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
      props.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
        consumer.subscribe(List.of(topic));
        int seen = 0;
        long deadline = System.currentTimeMillis() + 60_000;
        while (seen < expected && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
            System.out.println("V " + record.value());
            seen++;
          }
        }
      }
    } else {
      String compression = args[3];
      int count = Integer.parseInt(args[4]);
      props.put("compression.type", compression);
      props.put("linger.ms", "100");
      props.put("batch.size", "1048576");
      props.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
      props.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
        for (int i = 0; i < count; i++) producer.send(new ProducerRecord<>(topic, "java " + compression + " " + i + " " + "x".repeat(i % 300)));
        producer.flush();
      }
    }
  }
}
`;

let javaSource = '';
let classPath = '';

/** The broker's own client jars, from where test/services/kafka.sh installed them. */
function kafkaClassPath(): string {
  const cache = process.env.SLUICE_SERVICES_CACHE ?? join(homedir(), '.cache', 'sluice-test-services');
  const libs = join(cache, 'kafka', process.env.SLUICE_KAFKA_VERSION ?? '4.4.0', 'libs');
  const jars = readdirSync(libs).filter((jar) => /^(kafka-clients|snappy-java|lz4-java|zstd-jni|slf4j-api)-.*\.jar$/.test(jar));
  if (jars.length !== 5) throw new Error(`expected kafka-clients, snappy-java, lz4-java, zstd-jni and slf4j-api in ${libs}, found ${jars.join(', ')}; run test/services/kafka.sh`);
  return jars.map((jar) => join(libs, jar)).join(':');
}

async function java(...args: string[]): Promise<string[]> {
  const { stdout } = await run('java', ['-cp', classPath, javaSource, ...args], { maxBuffer: 64 << 20, timeout: 120_000 });
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('V '))
    .map((line) => line.slice(2));
}

describe('kafkajs codecs (registerKafkaCodecs) on the real broker', () => {
  let admin: Admin;
  const topics: string[] = [];
  const topic = (name: string): string => {
    const created = `codecs-${name}-${randomUUID().slice(0, 8)}`;
    topics.push(created);
    return created;
  };

  beforeAll(async () => {
    await assertReachable('Kafka', KAFKA_BROKERS[0]);
    registerKafkaCodecs();
    registerKafkaCodecs(); // idempotent
    countLookups();
    admin = kafka.admin();
    await admin.connect();
    classPath = kafkaClassPath();
    javaSource = join(mkdtempSync(join(tmpdir(), 'sluice-kafka-codecs-')), 'KafkaCodecPeer.java');
    writeFileSync(javaSource, JAVA_PEER);
  });

  afterAll(async () => {
    await admin?.deleteTopics({ topics }).catch(() => undefined);
    await admin?.disconnect();
  });

  describe.each(CODECS)('%s', (name, type) => {
    const sent = Array.from({ length: MESSAGES }, (_, i) => value(name, i));
    let produced = '';

    it('a kafkajs producer sends one compressed batch that a kafkajs consumer decodes exactly', async () => {
      produced = topic(name);
      await admin.createTopics({ topics: [{ topic: produced, numPartitions: 1 }], waitForLeaders: true });
      const before = lookups.get(type) ?? 0;
      const producer = kafka.producer();
      await producer.connect();
      try {
        await producer.send({ topic: produced, acks: -1, compression: type, messages: sent.map((text) => ({ value: text })) });
      } finally {
        await producer.disconnect();
      }
      const compressed = lookups.get(type) ?? 0;
      expect(compressed).toBeGreaterThan(before); // the producer went through the codec
      expect(await consumeValues(produced, MESSAGES)).toEqual(sent);
      expect(lookups.get(type) ?? 0).toBeGreaterThan(compressed); // and so did the consumer: the broker kept the codec
    });

    it('the Java consumer (kafka-clients, the broker version) reads what kafkajs sent', async () => {
      expect(await java('consume', KAFKA_BROKERS.join(','), produced, String(MESSAGES))).toEqual(sent);
    });

    it('a kafkajs consumer decodes what the Java producer compressed', async () => {
      const fromJava = topic(`java-${name}`);
      await admin.createTopics({ topics: [{ topic: fromJava, numPartitions: 1 }], waitForLeaders: true });
      await java('produce', KAFKA_BROKERS.join(','), fromJava, name, '1500');
      const before = lookups.get(type) ?? 0;
      const values = await consumeValues(fromJava, 1500);
      expect(values).toEqual(Array.from({ length: 1500 }, (_, i) => `java ${name} ${i} ${'x'.repeat(i % 300)}`));
      expect(lookups.get(type) ?? 0).toBeGreaterThan(before);
    });
  });

  it('snappy is xerial-framed in 32 KiB blocks, and a bare snappy block still decodes', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => value('snappy', i)).join('\n'));
    const framed = await kafkaSnappy.compress(data);
    expect(framed.subarray(0, 16).toString('hex')).toBe('82534e4150505900' + '00000001' + '00000001');
    let blocks = 0;
    for (let at = 16; at < framed.length; at += 4 + framed.readUInt32BE(at)) blocks++;
    expect(blocks).toBe(Math.ceil(data.length / 32_768));
    expect((await kafkaSnappy.decompress(framed)).equals(data)).toBe(true);
    const snappy = (await import('snappy')) as unknown as { compress(data: Buffer): Promise<Buffer> };
    expect((await kafkaSnappy.decompress(await snappy.compress(data))).equals(data)).toBe(true);
    await expect(kafkaSnappy.decompress(framed.subarray(0, framed.length - 10))).rejects.toThrow(/truncated/);
  });
});
