import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from '../../../src/graph/spec';
import { runPipeline, ScriptedSink } from '../../../src/testing';

/** A file sink with every reliability block: retry (3 tries), a breaker (opens after 2 failures, probes after 30 s) and a DLQ. */
const spec = pipeline({
  sources: { app: { type: 'stdin' } },
  transforms: { parsed: { type: 'json', inputs: ['app'] } },
  sinks: {
    archive: {
      type: 'file',
      inputs: ['parsed'],
      path: '/var/log/never-written/%Y.ndjson',
      batch: { max_events: 10, timeout: '1s' },
      retry: { initial: '1s', max: '10s', multiplier: 2, jitter: 0, max_retries: 3 },
      circuit_breaker: { failure_threshold: 2, reset_timeout: '30s' },
      dead_letter: {},
    },
  },
});

jest.setTimeout(30_000);

describe('ScriptedSink', () => {
  it('tests a retry + breaker + DLQ configuration in virtual time: an outage is waited out, a poison event is dead-lettered', async () => {
    const archive = new ScriptedSink().failNext(2).failEvents({ field: 'poison', exists: true }).respondAfter(500);
    const run = await runPipeline(spec, { inputs: { app: ['{"n":1}', '{"n":2,"poison":true}', '{"n":3}'] }, sinks: { archive } });

    expect(run.finished).toBe(true);
    expect(run.output('archive').map((event) => event.n)).toEqual([1, 3]);
    // Two failed sends open the breaker; it waits out reset_timeout (30 s), then a trial send
    // delivers 1 and 3 and fails the poison event for good: not retried, straight to the queue.
    expect(archive.sends.map((send) => [send.at - Date.UTC(2026, 0, 1), send.events.length, send.failed.length])).toEqual([
      [0, 3, 3],
      [1500, 3, 3],
      [32000, 3, 1],
    ]);
    expect(run.counts.deadLettered).toEqual({ archive: 1 });
    expect(run.counts.failedBatches).toEqual({});
    expect(run.acks.summary()).toEqual({ 'app#0': expect.stringMatching(/^resolved@/) });
    // The queue is on disk, under the run's own directory: nothing outside it was written.
    expect(readdirSync(join(run.dataDir, 'dead_letter', 'archive')).length).toBeGreaterThan(0);
    expect(existsSync('/var/log/never-written')).toBe(false);
    expect(run.elapsedMs).toBeGreaterThan(30_000);
    run.dispose();
  });

  it('rejects the source batch when a permanent failure has no dead-letter queue, and says so in the counts', async () => {
    const bare = pipeline({ sources: { app: { type: 'stdin' } }, sinks: { out: { type: 'console', inputs: ['app'] } } });
    const run = await runPipeline(bare, { inputs: { app: ['a', 'b'] }, sinks: { out: new ScriptedSink().failEvents((event) => event.message === 'b') } });
    expect(run.output('out').map((event) => event.message)).toEqual(['a']);
    expect(run.counts.failedBatches).toEqual({ app: 1 });
    expect(run.inputAcks('app').map((record) => [record.state, record.failedIndices])).toEqual([['rejected', [1]]]);
  });

  it('fails an event only `times` times, then accepts it', async () => {
    const bare = pipeline({ sources: { app: { type: 'stdin' } }, sinks: { out: { type: 'console', inputs: ['app'], retry: { initial: '1s', jitter: 0 } } } });
    const out = new ScriptedSink().failEvents({ field: 'message', equals: 'flaky' }, { retryable: true, times: 2 });
    const run = await runPipeline(bare, { inputs: { app: ['flaky'] }, sinks: { out } });
    expect(run.output('out').map((event) => event.message)).toEqual(['flaky']);
    expect(out.sends).toHaveLength(3);
  });
});
