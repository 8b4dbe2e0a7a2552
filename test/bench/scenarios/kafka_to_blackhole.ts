import type { Scenario } from '../scenario';
import { consumeInput, consumeWith, KAFKA_CONSUME } from './kafka_consume';

let input = { bytes: 0, lines: 0 };

/** One `sluice run` consuming the topic (json) into the blackhole, whole process timed. */
export const scenario: Scenario = {
  name: 'kafka_to_blackhole',
  description: `sluice run: kafka source (json, one consumer-group member) → blackhole, ${KAFKA_CONSUME.lines} messages on ${KAFKA_CONSUME.partitions} partitions of the shared broker, from spawn until all counted`,
  bytesBasis: 'message value bytes',
  async setup() {
    input = await consumeInput();
  },
  run: () => consumeWith(1, input),
};
