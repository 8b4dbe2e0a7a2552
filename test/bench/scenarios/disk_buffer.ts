import type { InferIn } from '../../../src/config/schema';
import type { sinkBlockOptions } from '../../../src/components/sink-blocks';
import { messageMaker, type GeneratorFormat } from '../../../src/sources/generator-formats';
import { pipeline } from '../../../src/index';
import { componentCount, runPipeline } from '../sluice';
import { expectEvents, scaled, type Scenario } from '../scenario';

const COUNT = 5_000_000;
const BATCH_SIZE = 1000;
/** The json format's messages average ~150 bytes, the closest of the generator's formats to ~200. */
const FORMAT: GeneratorFormat = 'json';

/**
 * The sink's reliability blocks, typed by their schema. Spread into the sink spec because
 * `PipelineSpec`'s sink types do not list the blocks yet (validation accepts them).
 */
const BLOCKS: InferIn<typeof sinkBlockOptions> = {
  buffer: { mode: 'disk', fsync: 'interval', fsync_interval: '1s', max_bytes: '2GiB' },
};

let count = 0;
let bytes = 0;

/**
 * Bytes of the messages the generator emits for sequences 0..events-1 in `format`, plus a
 * newline each (the basis generator_to_blackhole uses, for another format). Asks the
 * generator's own message maker, outside the timed run.
 */
function generatedMessageBytes(format: GeneratorFormat, events: number): number {
  const maker = messageMaker(format);
  maker.begin(Date.now());
  let total = 0;
  for (let sequence = 0; sequence < events; sequence++) total += Buffer.byteLength(maker.message(sequence)) + 1;
  return total;
}

/**
 * Vector's disk_buffer case (68 MiB/s on 2 vCPU, DESIGN §5): the built-in generator (json
 * messages of ~150 bytes, as fast as credit allows, 1000-event batches) into a blackhole
 * whose `buffer:` block is the crash-safe disk WAL, fsynced every second. Every batch is
 * serialised, appended to the log and acked upstream after the next fsync; the sink reads
 * it back (from the log's in-memory cache while it keeps up) and the cursor advances as it
 * delivers. The log lives in the run's temporary `data_dir`, removed after. Every event is
 * checked to arrive (the sink's sent-events metric).
 */
export const scenario: Scenario = {
  name: 'disk_buffer',
  description: `built-in generator (${FORMAT}, ${COUNT.toLocaleString('en-US')} events × scale, batch_size ${BATCH_SIZE}, rate 0) → blackhole with buffer { mode: disk, fsync: interval 1s, max_bytes 2GiB }, real Pipeline`,
  bytesBasis: 'generated message bytes + 1 newline per event (computed from the generator\'s message pool; the WAL stores the whole events as JSON, ~1.8× more)',
  async setup() {
    count = scaled(COUNT);
    bytes = generatedMessageBytes(FORMAT, count);
  },
  async run() {
    const { durationMs, cpuMs, metrics } = await runPipeline(
      pipeline({
        sources: { gen: { type: 'generator', count, rate: 0, batch_size: BATCH_SIZE, format: FORMAT } },
        sinks: {
          out: {
            type: 'blackhole',
            inputs: ['gen'],
            batch: { max_events: BATCH_SIZE },
            ...BLOCKS,
          },
        },
      }),
    );
    const delivered = await componentCount(metrics.sentEvents, 'out');
    expectEvents('disk_buffer', delivered, count);
    return { events: delivered, bytes, durationMs, cpuMs };
  },
};
