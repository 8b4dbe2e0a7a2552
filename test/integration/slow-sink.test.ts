import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferIn } from '../../src/config/schema';
import type { sinkBlockOptions } from '../../src/components/sink-blocks';
import { DELIVERED, Pipeline, pipeline, type Batch, type SendResult, type Sink } from '../../src/index';
import { deferred } from '../helpers/async';
import { note } from '../helpers/notes';

/**
 * Issue #3, the slow-sink case: one source fans out to a fast file sink and to a sink that
 * stalls. Whether the stall reaches the fast sink depends on the slow sink's `buffer:`
 * block. Every assertion is about event counts (sinks' sent counters, discards, the file's
 * lines) and plateaus, never about how long something took.
 */

const TOTAL = 200_000;
const BATCH = 1000;
/** The source's `max_in_flight_events`: what may be read and not yet acknowledged by every branch. */
const CREDIT = 5000;
/** The slow sink's buffer bound. */
const BUFFER_EVENTS = 10_000;
/** The slow buffer's downstream window, in batches (merged up to 1000 events each). */
const BUFFER_IN_FLIGHT = 2;
/** What the slow branch can absorb while its sink stalls: held in the buffer plus handed to `deliver`. */
const SLOW_ABSORBS = BUFFER_EVENTS + BUFFER_IN_FLIGHT * BATCH;

type SinkBlocksIn = InferIn<typeof sinkBlockOptions>;

/**
 * A sink that stalls: no send resolves until `release()`; after it every send, waiting or
 * new, succeeds. Records the sequence of every event it delivered.
 */
class StalledSink implements Sink {
  /** Sends started (concurrency 1: the first one is stuck, the rest wait behind it). */
  sends = 0;
  readonly delivered: number[] = [];
  private readonly gate = deferred<void>();

  async send(batch: Batch): Promise<SendResult> {
    this.sends += 1;
    await this.gate.promise;
    for (const event of batch.events) this.delivered.push(Number(event.sequence));
    return DELIVERED;
  }

  release(): void {
    this.gate.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Running {
  readonly pipeline: Pipeline;
  readonly slow: StalledSink;
  readonly done: Promise<void>;
  readonly outFile: string;
}

const dirs: string[] = [];
const running: Running[] = [];

afterEach(() => {
  // A failed case must not leave a stalled graph behind: release it and tear it down.
  for (const run of running.splice(0)) {
    run.slow.release();
    run.pipeline.abort();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** generator (TOTAL events, credit CREDIT) → fast file sink + stalled custom sink with `blocks`. */
function start(blocks: SinkBlocksIn): Running {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-slow-sink-'));
  dirs.push(dir);
  const outFile = join(dir, 'out', 'fast.ndjson');
  const slow = new StalledSink();
  const spec = pipeline({
    data_dir: join(dir, 'state'),
    api: { enabled: false },
    sources: { gen: { type: 'generator', count: TOTAL, rate: 0, batch_size: BATCH, format: 'text', max_in_flight_events: CREDIT } },
    sinks: {
      fast: { type: 'file', inputs: ['gen'], path: outFile, batch: { max_events: BATCH } },
      // The blocks are spread in: PipelineSpec's sink types do not list them yet (validation does).
      slow: { sink: slow, inputs: ['gen'], batch: { max_events: BATCH }, ...blocks },
    },
  });
  const created = Pipeline.create(spec);
  const run: Running = { pipeline: created, slow, done: created.run(), outFile };
  running.push(run);
  return run;
}

/** One component's value of a counter or gauge family, summed over series matching `labels`. */
async function metric(run: Running, name: string, componentId: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const family = run.pipeline.metrics.registry.getSingleMetric(name);
  if (family === undefined) throw new Error(`metric ${name} is not registered`);
  const { values } = await family.get();
  return values
    .filter((value) => value.labels.component_id === componentId && Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))
    .reduce((sum, value) => sum + value.value, 0);
}

const sent = (run: Running, id: string): Promise<number> => metric(run, 'sluice_component_sent_events_total', id);
const discarded = (run: Running, reason: string): Promise<number> => metric(run, 'sluice_component_discarded_events_total', 'slow', { reason });

const utilisation = (run: Running): Promise<number> => metric(run, 'sluice_buffer_utilisation', 'slow');

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Polls an async reading until `accept` holds (checked every 20 ms, up to `timeoutMs`). */
async function eventually(read: () => Promise<number>, accept: (value: number) => boolean, what: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${value} after ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * Where the fast sink stops: it has delivered every event the source read, yet the source
 * is out of credit, so the stalled branch alone holds the acks and nothing will return
 * credit. (Both readings of the source bracket the others: it read nothing in between.)
 * Read again 500 ms later: a plateau holds both still.
 */
async function plateau(run: Running): Promise<{ read: number; fast: number; readLater: number; fastLater: number }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const read = await sent(run, 'gen');
    const fast = await sent(run, 'fast');
    const inFlight = await metric(run, 'sluice_source_in_flight_events', 'gen');
    if (fast === read && inFlight >= CREDIT && (await sent(run, 'gen')) === read) {
      await sleep(500);
      return { read, fast, readLater: await sent(run, 'gen'), fastLater: await sent(run, 'fast') };
    }
    if (Date.now() > deadline) throw new Error(`no plateau: source read ${read}, fast sink sent ${fast}, ${inFlight} in flight`);
    await sleep(20);
  }
}

/** Sequences in a file sink's NDJSON output. */
function fileSequences(path: string): number[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => Number((JSON.parse(line) as { sequence: unknown }).sequence));
}

/** Undefined when `values` are exactly `expected`, in any order; otherwise what is wrong. */
function sameSet(values: readonly number[], expected: readonly number[]): string | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length !== expected.length) return `${sorted.length} values, expected ${expected.length}`;
  const wrong = sorted.findIndex((value, index) => value !== expected[index]);
  return wrong === -1 ? undefined : `at ${wrong}: ${sorted[wrong]} where ${expected[wrong]} was expected`;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, index) => from + index);

describe('fan-out to a fast file sink and a stalled sink', () => {
  it.each([
    ['drop_newest', (kept: number) => range(0, kept)],
    ['drop_oldest', (kept: number) => [...range(0, BUFFER_IN_FLIGHT * BATCH), ...range(TOTAL - (kept - BUFFER_IN_FLIGHT * BATCH), TOTAL)]],
  ] as const)(
    'with a memory buffer that %s, the fast sink writes all 200,000 events while the other stalls, and every event the slow branch did not keep is counted as discarded',
    async (policy, expectedKept) => {
      const run = start({ buffer: { mode: 'memory', max_events: BUFFER_EVENTS, when_full: policy, max_in_flight: BUFFER_IN_FLIGHT } });

      // The fast branch finishes while the slow sink has not completed a single send.
      await eventually(() => sent(run, 'fast'), (value) => value === TOTAL, 'fast sink count');
      expect(await sent(run, 'slow')).toBe(0);
      expect(run.slow.delivered).toHaveLength(0);
      expect(await utilisation(run)).toBe(1);
      expect(sameSet(fileSequences(run.outFile), range(0, TOTAL))).toBeUndefined();
      const droppedWhileStalled = await discarded(run, policy);
      expect(TOTAL - droppedWhileStalled).toBeGreaterThanOrEqual(BUFFER_EVENTS);
      expect(TOTAL - droppedWhileStalled).toBeLessThanOrEqual(SLOW_ABSORBS);

      run.slow.release();
      await run.done;

      const slowSent = await sent(run, 'slow');
      const dropped = await discarded(run, policy);
      note(`slow sink (${policy}): fast ${await sent(run, 'fast')}, slow delivered ${slowSent}, discarded ${dropped}`);
      expect(dropped).toBe(droppedWhileStalled);
      expect(slowSent + dropped).toBe(TOTAL);
      expect(sameSet(run.slow.delivered, expectedKept(slowSent))).toBeUndefined();
      expect(await sent(run, 'fast')).toBe(TOTAL);
    },
  );

  it('with a blocking buffer, the fast sink stops at the slow buffer plus the source credit, then both sinks get every event once the slow one is released', async () => {
    const run = start({ buffer: { mode: 'memory', max_events: BUFFER_EVENTS, when_full: 'block', max_in_flight: BUFFER_IN_FLIGHT } });

    const { read, fast, readLater, fastLater } = await plateau(run);
    note(`slow sink (block): fast sink plateau ${fast} events (buffer ${BUFFER_EVENTS} + window ${BUFFER_IN_FLIGHT * BATCH} + credit ${CREDIT})`);
    expect([readLater, fastLater]).toEqual([read, fast]);
    expect(fast).toBe(read);
    expect(fast).toBeGreaterThanOrEqual(BUFFER_EVENTS);
    expect(fast).toBeLessThanOrEqual(SLOW_ABSORBS + CREDIT + BATCH);
    expect(await utilisation(run)).toBe(1);
    expect(await sent(run, 'slow')).toBe(0);
    expect(await discarded(run, 'drop_newest')).toBe(0);

    run.slow.release();
    await run.done;

    expect(await sent(run, 'fast')).toBe(TOTAL);
    expect(await sent(run, 'slow')).toBe(TOTAL);
    expect(sameSet(run.slow.delivered, range(0, TOTAL))).toBeUndefined();
    expect(sameSet(fileSequences(run.outFile), range(0, TOTAL))).toBeUndefined();
  });

  it('without a buffer, one stalled sink stops its sibling after one credit window (why a slow output needs its own buffer)', async () => {
    const run = start({});

    const { read, fast, readLater, fastLater } = await plateau(run);
    note(`slow sink (no buffer): fast sink plateau ${fast} events (credit ${CREDIT})`);
    expect([readLater, fastLater]).toEqual([read, fast]);
    expect(fast).toBe(read);
    expect(fast).toBeLessThanOrEqual(CREDIT + BATCH);
    expect(run.slow.sends).toBe(1);

    run.slow.release();
    await run.done;

    expect(await sent(run, 'fast')).toBe(TOTAL);
    expect(await sent(run, 'slow')).toBe(TOTAL);
    expect(sameSet(run.slow.delivered, range(0, TOTAL))).toBeUndefined();
    expect(sameSet(fileSequences(run.outFile), range(0, TOTAL))).toBeUndefined();
  });
});
