import type { InferIn } from '../../src/config/schema';
import type { sinkBlockOptions } from '../../src/components/sink-blocks';
import { messageMaker, type GeneratorFormat } from '../../src/sources/generator-formats';
import { pipeline, type PipelineSpec } from '../../src/index';

/** The disk_buffer workload, shared by `disk_buffer` and `disk_buffer_loop_delay`. */
export const DISK_BUFFER_COUNT = 5_000_000;
export const DISK_BUFFER_BATCH_SIZE = 1000;
/** The json format's messages average ~150 bytes, the closest of the generator's formats to ~200. */
export const DISK_BUFFER_FORMAT: GeneratorFormat = 'json';

/**
 * The sink's reliability blocks, typed by their schema. Spread into the sink spec because
 * `PipelineSpec`'s sink types do not list the blocks yet (validation accepts them).
 */
const BLOCKS: InferIn<typeof sinkBlockOptions> = {
  buffer: { mode: 'disk', fsync: 'interval', fsync_interval: '1s', max_bytes: '2GiB' },
};

/**
 * Bytes of the messages the generator emits for sequences 0..events-1 in `format`, plus a
 * newline each (the basis generator_to_blackhole uses, for another format). Asks the
 * generator's own message maker, outside the timed run.
 */
export function generatedMessageBytes(format: GeneratorFormat, events: number): number {
  const maker = messageMaker(format);
  maker.begin(Date.now());
  let total = 0;
  for (let sequence = 0; sequence < events; sequence++) total += Buffer.byteLength(maker.message(sequence)) + 1;
  return total;
}

/**
 * Vector's disk_buffer case: the built-in generator (json messages, as fast as credit
 * allows) into a blackhole whose `buffer:` block is the crash-safe disk WAL, fsynced every
 * second. The sink is named `out`.
 */
export function diskBufferSpec(count: number): PipelineSpec {
  return pipeline({
    sources: { gen: { type: 'generator', count, rate: 0, batch_size: DISK_BUFFER_BATCH_SIZE, format: DISK_BUFFER_FORMAT } },
    sinks: {
      out: {
        type: 'blackhole',
        inputs: ['gen'],
        batch: { max_events: DISK_BUFFER_BATCH_SIZE },
        ...BLOCKS,
      },
    },
  });
}
