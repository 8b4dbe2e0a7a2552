import { filter, map, type OperatorFunction } from 'rxjs';
import { readYamlConfig } from '../../../src/config/yaml';
import type { Batch } from '../../../src/core/batch';
import { pipeline } from '../../../src/graph/spec';
import { DEFAULT_EPOCH_MS, runPipeline } from '../../../src/testing';

const errorsOnly = () => readYamlConfig('config/examples/errors-only.yaml', {}).data;

jest.setTimeout(30_000);

describe('runPipeline', () => {
  it('runs a YAML pipeline with its sources and sinks swapped by name, and counts what the filter dropped', async () => {
    const run = await runPipeline(errorsOnly(), {
      inputs: { requests: [{ message: '{"level":"warn","status":200}' }, { message: '{"level":"info","status":200}' }, { message: '{"level":"info","status":503}' }] },
    });
    expect(run.finished).toBe(true);
    expect(run.output('screen')).toEqual([{ level: 'warn', status: 200 }, { level: 'info', status: 503 }]);
    expect(run.output('archive')).toEqual(run.output('screen'));
    expect(run.counts.dropped).toEqual({ problems: { filtered: 1 } });
    expect(run.acks.summary()).toEqual({ 'requests#0': expect.stringMatching(/^resolved@/) });
  });
});

describe('runPipeline with a TypeScript spec', () => {
  const spec = (operator: OperatorFunction<Batch, Batch>) =>
    pipeline({
      sources: { app: { type: 'http' } },
      transforms: { mine: { inputs: ['app'], operator } },
      sinks: { out: { type: 'console', inputs: ['mine'], batch: { max_events: 100, timeout: '5s' } } },
    });

  it('feeds inputs at virtual times and lets the sink batch timeout fire between them', async () => {
    const run = await runPipeline(spec(map((batch) => batch)), {
      inputs: { app: { batches: [{ at: 0, events: [{ message: 'a' }] }, { at: 60_000, events: [{ message: 'b' }] }], endAt: 120_000 } },
    });
    expect(run.sink('out').sends.map((send) => [send.at - DEFAULT_EPOCH_MS, send.events.map((event) => event.message)])).toEqual([
      [5_000, ['a']],
      [65_000, ['b']],
    ]);
    expect(run.elapsedMs).toBe(120_000);
  });

  it("shows the acks a user's stage lost inside a whole pipeline", async () => {
    const losesAcks = filter((batch: Batch) => batch.events[0]?.message !== 'lost');
    const run = await runPipeline(spec(losesAcks), { inputs: { app: { batches: [{ events: ['kept'] }, { at: 10, events: ['lost'] }] } } });
    expect(run.output('out').map((event) => event.message)).toEqual(['kept']);
    expect(run.acks.pending().map((record) => record.label)).toEqual(['app#1']);
  });

  it('names the sources when an input names none of them', async () => {
    await expect(runPipeline(spec(map((batch) => batch)), { inputs: { nope: ['x'] } })).rejects.toThrow('input "nope" is not a source of the pipeline; sources: app');
  });
});
