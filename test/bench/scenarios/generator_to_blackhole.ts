import { messageMaker } from '../../../src/sources/generator-formats';
import { pipeline } from '../../../src/index';
import { componentCount, runPipeline } from '../sluice';
import { expectEvents, scaled, type Scenario } from '../scenario';

const COUNT = 20_000_000;
const BATCH_SIZE = 1000;

let count = 0;
let bytes = 0;

/**
 * Bytes of the messages the generator emits for sequences 0..events-1, plus a newline each:
 * what a line-based source would have read for them. Asks the generator's own message maker
 * (the text format returns pooled strings, so this builds none), outside the timed run.
 */
export function generatedMessageBytes(events: number): number {
  const maker = messageMaker('text');
  maker.begin(Date.now());
  let total = 0;
  for (let sequence = 0; sequence < events; sequence++) total += maker.message(sequence).length + 1;
  return total; // the text format is ASCII: characters are bytes
}

/**
 * The framework's own cost, with no I/O: the built-in generator (text format, as fast as
 * credit allows, 1000-event batches) through the real Pipeline into the blackhole sink.
 * Every event is checked to arrive (the sink's sent-events metric).
 */
export const scenario: Scenario = {
  name: 'generator_to_blackhole',
  description: `built-in generator (text, ${COUNT.toLocaleString('en-US')} events × scale, batch_size ${BATCH_SIZE}, rate 0) → blackhole, real Pipeline`,
  bytesBasis: 'generated message bytes + 1 newline per event (computed from the generator\'s message pool; the sink\'s byte metric is an NDJSON estimate with host/timestamp overhead)',
  async setup() {
    count = scaled(COUNT);
    bytes = generatedMessageBytes(count);
  },
  async run() {
    const { durationMs, cpuMs, metrics } = await runPipeline(
      pipeline({
        sources: { gen: { type: 'generator', count, rate: 0, batch_size: BATCH_SIZE, format: 'text' } },
        sinks: { out: { type: 'blackhole', inputs: ['gen'], batch: { max_events: BATCH_SIZE } } },
      }),
    );
    const delivered = await componentCount(metrics.sentEvents, 'out');
    expectEvents('generator_to_blackhole', delivered, count);
    return { events: delivered, bytes, durationMs, cpuMs };
  },
};
