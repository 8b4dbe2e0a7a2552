import { EMPTY } from 'rxjs';
import { DlqUsageError } from '../../../src/cli/dlq/args';
import { replaySpec } from '../../../src/cli/dlq/replay-spec';

const source = () => EMPTY;

const pipeline = {
  data_dir: '/var/lib/sluice',
  api: { enabled: true, address: '0.0.0.0:9598' },
  shutdown_timeout: '5s',
  sources: { app: { type: 'stdin' }, other: { type: 'generator' } },
  transforms: {
    parsed: { type: 'json', inputs: ['app'] },
    enriched: { type: 'enrich', inputs: ['parsed', 'other'] },
    unrelated: { type: 'filter', inputs: ['other'] },
  },
  sinks: {
    archive: { type: 'file', inputs: ['enriched'], dead_letter: { max_age: '1d' } },
    debug: { type: 'console', inputs: ['unrelated', 'enriched'] },
    elsewhere: { type: 'blackhole', inputs: ['unrelated'] },
  },
};

describe('replaySpec', () => {
  it('keeps the named component and everything downstream of it, fed by the replay source', () => {
    const spec = replaySpec(pipeline, 'enriched', source);
    expect(spec.sources).toEqual({ dlq_replay: { source } });
    expect(spec.transforms).toEqual({ enriched: { type: 'enrich', inputs: ['dlq_replay'] } });
    expect(Object.keys(spec.sinks as object)).toEqual(['archive', 'debug']);
    expect((spec.sinks as Record<string, unknown>).debug).toEqual({ type: 'console', inputs: ['enriched'] });
  });

  it('removes sinks\' dead_letter blocks, so entries that fail again stay queued', () => {
    const spec = replaySpec(pipeline, 'archive', source);
    expect(spec.sinks).toEqual({ archive: { type: 'file', inputs: ['dlq_replay'] } });
    expect(spec.transforms).toBeUndefined();
  });

  it('bypasses dead_letter transforms: their readers read their inputs instead', () => {
    const withStage = {
      ...pipeline,
      transforms: { ...pipeline.transforms, dlq: { type: 'dead_letter', inputs: ['enriched'] } },
      sinks: { archive: { type: 'file', inputs: ['dlq'] } },
    };
    expect(replaySpec(withStage, 'enriched', source).sinks).toEqual({ archive: { type: 'file', inputs: ['enriched'] } });
    expect(replaySpec(withStage, 'dlq', source).sinks).toEqual({ archive: { type: 'file', inputs: ['dlq_replay'] } });
  });

  it('keeps the settings, turns the API off and keeps state under <data_dir>/dlq_replay', () => {
    const spec = replaySpec(pipeline, 'archive', source);
    expect(spec).toMatchObject({ data_dir: '/var/lib/sluice/dlq_replay', api: { enabled: false }, shutdown_timeout: '5s' });
    expect(replaySpec({ ...pipeline, data_dir: undefined }, 'archive', source).data_dir).toBe('data/dlq_replay');
  });

  it('names the replay source so that it collides with no component', () => {
    const taken = { ...pipeline, sources: { dlq_replay: { type: 'stdin' } } };
    expect(Object.keys(replaySpec(taken, 'archive', source).sources as object)).toEqual(['_dlq_replay']);
  });

  it('refuses a source, an unknown name, or something that is not a pipeline', () => {
    expect(() => replaySpec(pipeline, 'app', source)).toThrow(DlqUsageError);
    expect(() => replaySpec(pipeline, 'nope', source)).toThrow(/no transform or sink named "nope"; they are: parsed, enriched, unrelated, archive, debug, elsewhere/);
    expect(() => replaySpec([], 'archive', source)).toThrow(/a pipeline is a map/);
  });
});
