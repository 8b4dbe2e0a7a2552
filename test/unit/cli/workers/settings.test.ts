import { availableParallelism } from 'node:os';
import { builtinRegistry } from '../../../../src/components/builtins';
import { validateGraph } from '../../../../src/graph/validate';
import { shardFromEnv, workerCount, workerEnv } from '../../../../src/cli/workers/shard-env';
import { testRegistry } from '../../graph/fixtures';

const graphWith = (workers: unknown) =>
  validateGraph({ workers, sources: { a: { type: 'counting' } }, sinks: { b: { type: 'collect', inputs: ['a'] } } }, testRegistry());

describe('the workers setting', () => {
  it('defaults to 1', () => {
    expect(graphWith(undefined).graph?.settings.workers).toBe(1);
  });

  it.each([1, 2, 16, 'auto'])('accepts %p', (value) => {
    const { graph, issues } = graphWith(value);
    expect(issues).toEqual([]);
    expect(graph?.settings.workers).toBe(value);
  });

  it.each([
    [0, 'workers: must be at least 1, got 0'],
    [-2, 'workers: must be at least 1, got -2'],
    [1.5, 'workers: expected an integer, got 1.5'],
    ['four', 'workers: expected an integer of at least 1 or "auto", got "four"'],
    ['2', 'workers: expected an integer of at least 1 or "auto", got "2"'],
    [true, 'workers: expected a number, got boolean'],
  ])('rejects %p with a clear message', (value, message) => {
    const found = graphWith(value).issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(found).toEqual([message]);
  });

  it('auto means one worker per core the process may use', () => {
    expect(workerCount('auto')).toBe(availableParallelism());
    expect(workerCount(3)).toBe(3);
  });
});

describe('the worker environment', () => {
  it('round-trips the index and count a primary sets', () => {
    expect(shardFromEnv(workerEnv(1, 4))).toEqual({ index: 1, count: 4 });
  });

  it('is absent outside a worker or when malformed', () => {
    expect(shardFromEnv({})).toBeUndefined();
    expect(shardFromEnv({ SLUICE_WORKER_INDEX: '2', SLUICE_WORKER_COUNT: '2' })).toBeUndefined();
    expect(shardFromEnv({ SLUICE_WORKER_INDEX: 'x', SLUICE_WORKER_COUNT: '2' })).toBeUndefined();
  });
});

describe('the workers warning on file sinks', () => {
  const warningsFor = (workers: unknown, path: string) =>
    validateGraph({ workers, sources: { a: { type: 'generator' } }, sinks: { out: { type: 'file', inputs: ['a'], path } } }, builtinRegistry()).graph?.warnings.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );

  it('warns when several workers would append to the same files', () => {
    expect(warningsFor(2, 'out/%Y.ndjson')).toEqual(['sinks.out.path: with workers: 2 every worker appends to these same files; put %w (the worker index) in the path, e.g. "out/%Y-%w.ndjson"']);
    expect(warningsFor('auto', 'out/a%%w')).toHaveLength(1);
  });

  it('is quiet with %w in the path, or with one worker', () => {
    expect(warningsFor(2, 'out/%w/%Y.ndjson')).toEqual([]);
    expect(warningsFor(1, 'out/%Y.ndjson')).toEqual([]);
  });
});
