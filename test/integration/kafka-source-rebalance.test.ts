import type { Batch } from '../../src/core/batch';
import { eventMeta } from '../../src/core/event';
import { note } from '../helpers/notes';
import { committedOffsets, createTopics, eventually, produce, runSource, testClient, uniqueName, type Outgoing, type RunningSource } from './kafka-source-helpers';

const kafka = testClient();
const admin = kafka.admin();
beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

const PARTITIONS = 4;
const PER_PARTITION = 3000;

/**
 * A slow sink: each batch is acknowledged after a random 50–400 ms, and every offset it
 * acknowledged is recorded (`partition:offset`) before the ack resolves.
 */
function slowSink(acked: Set<string>, timers: Set<NodeJS.Timeout>): (batch: Batch) => void {
  return (batch) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      for (const event of batch.events) acked.add(`${eventMeta(event)?.partition}:${eventMeta(event)?.offset}`);
      batch.ack.resolve();
    }, 50 + Math.random() * 350);
    timers.add(timer);
  };
}

describe('kafka source: rebalancing while a slow sink holds acks', () => {
  it('never commits an offset past an event no member has acknowledged, while partitions move between members', async () => {
    const topic = uniqueName('rebalance');
    const group = uniqueName('group');
    await createTopics(admin, [{ topic, partitions: PARTITIONS }]);
    const messages: Outgoing[] = [];
    for (let i = 0; i < PARTITIONS * PER_PARTITION; i++) messages.push({ partition: i % PARTITIONS, value: JSON.stringify({ sequence: i }) });
    await produce(kafka, topic, messages);

    const acked = new Set<string>();
    const timers = new Set<NodeJS.Timeout>();
    const options = { topics: [topic], group_id: group, max_bytes_per_partition: '8KiB', session_timeout: '6s', heartbeat_interval: '500ms', revoke_grace: '2s' };
    const members: RunningSource[] = [runSource(options, { maxEvents: 500 }, slowSink(acked, timers))];

    // Every commit sampled must sit on an acknowledged prefix: every offset below it acked by someone.
    const violations: string[] = [];
    let samples = 0;
    const check = async (): Promise<void> => {
      const committed = await committedOffsets(admin, group, topic);
      samples++;
      for (const [partition, offset] of committed) {
        for (let below = 0; below < offset; below++) {
          if (!acked.has(`${partition}:${below}`)) {
            violations.push(`partition ${partition} committed ${offset} but offset ${below} was never acknowledged`);
            break;
          }
        }
      }
    };
    const sampler = setInterval(() => void check(), 100);
    try {
      // Partitions move: a second member joins, a third joins, the first leaves.
      await eventually(() => acked.size > 1000, () => `acked ${acked.size}`);
      members.push(runSource(options, { maxEvents: 500 }, slowSink(acked, timers)));
      await eventually(() => acked.size > 4000, () => `acked ${acked.size}`);
      members.push(runSource(options, { maxEvents: 500 }, slowSink(acked, timers)));
      await eventually(() => acked.size > 7000, () => `acked ${acked.size}`);
      await members[0]?.stop();
      await eventually(
        async () => [...(await committedOffsets(admin, group, topic)).values()].every((offset) => offset === PER_PARTITION),
        () => `acked ${acked.size} of ${PARTITIONS * PER_PARTITION}`,
        60_000,
      );
    } finally {
      clearInterval(sampler);
    }
    await check();
    const emitted = members.reduce((total, member) => total + member.count(), 0);
    note(`kafka rebalance: ${samples} commit samples, ${emitted} events emitted for ${PARTITIONS * PER_PARTITION} (${emitted - PARTITIONS * PER_PARTITION} duplicates)`);
    expect(violations).toEqual([]);
    expect(samples).toBeGreaterThan(20);
    expect(acked.size).toBe(PARTITIONS * PER_PARTITION);
    await Promise.all(members.slice(1).map((member) => member.stop()));
    for (const timer of timers) clearTimeout(timer);
  }, 120_000);
});
