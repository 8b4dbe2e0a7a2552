import { DISK_BUFFER_BATCH_SIZE, DISK_BUFFER_COUNT, DISK_BUFFER_FORMAT, diskBufferSpec, generatedMessageBytes } from '../disk-buffer';
import { componentCount, runPipeline } from '../sluice';
import { expectEvents, scaled, type Scenario } from '../scenario';

let count = 0;
let bytes = 0;

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
  description: `built-in generator (${DISK_BUFFER_FORMAT}, ${DISK_BUFFER_COUNT.toLocaleString('en-US')} events × scale, batch_size ${DISK_BUFFER_BATCH_SIZE}, rate 0) → blackhole with buffer { mode: disk, fsync: interval 1s, max_bytes 2GiB }, real Pipeline`,
  bytesBasis: 'generated message bytes + 1 newline per event (computed from the generator\'s message pool; the WAL stores the whole events as JSON, ~1.8× more)',
  async setup() {
    count = scaled(DISK_BUFFER_COUNT);
    bytes = generatedMessageBytes(DISK_BUFFER_FORMAT, count);
  },
  async run() {
    const { durationMs, cpuMs, metrics } = await runPipeline(diskBufferSpec(count));
    const delivered = await componentCount(metrics.sentEvents, 'out');
    expectEvents('disk_buffer', delivered, count);
    return { events: delivered, bytes, durationMs, cpuMs };
  },
};
