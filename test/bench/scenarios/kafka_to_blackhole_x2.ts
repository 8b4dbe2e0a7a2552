import type { Scenario } from '../scenario';
import { consumeInput, consumeWith, KAFKA_CONSUME } from './kafka_consume';

let input = { bytes: 0, lines: 0 };

/** Two `sluice run` processes in one consumer group sharing the topic's partitions; CPU and RSS summed. */
export const scenario: Scenario = {
  name: 'kafka_to_blackhole_x2',
  description: `2 × sluice run in one consumer group: kafka source (json) → blackhole, ${KAFKA_CONSUME.lines} messages on ${KAFKA_CONSUME.partitions} partitions, from the first spawn until all counted (RSS summed)`,
  bytesBasis: 'message value bytes',
  async setup() {
    input = await consumeInput();
  },
  run: () => consumeWith(2, input),
};
