import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { SourceContext } from '../../../src/components/context';
import type { LogEvent } from '../../../src/core/event';
import { Pipeline } from '../../../src/graph/pipeline';
import { fromReadable } from '../../../src/sources/readable';
import { mapEvents } from '../../../operators/map-events';

// Regression (issue 7, defect 5): six lines on stdin through `json` into the `file` sink,
// one a JSON object nested 100,000 deep. JSON.parse accepted it, the sink's JSON.stringify
// overflowed the stack, all six failed as one retryable batch, and none was written.

const DEPTH = 100_000;
const POISON = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
const GOOD = ['{"ok":1}', '{"ok":2,"level":"info"}', 'plain text', '{"ok":3}', '{"ok":4}'];
const STDIN = [GOOD[0], GOOD[1], POISON, GOOD[2], GOOD[3], GOOD[4]].join('\n') + '\n';

/** The real stdin adapter over six lines, as `printf ... | sluice run` feeds it. */
const stdinLike = (ctx: SourceContext) => fromReadable(Readable.from([Buffer.from(STDIN)]), ctx, { maxLineBytes: 4 * 1024 * 1024 });

async function metric(pipeline: Pipeline, name: string, labels: Record<string, string>): Promise<number> {
  const values = (await pipeline.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.filter((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted)).reduce((sum, value) => sum + value.value, 0);
}

function written(path: string): LogEvent[] {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as LogEvent);
}

describe('one poison event', () => {
  it('is kept as its raw line, tagged, by json; all six events are written and the run succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-poison-'));
    const out = join(dir, 'out.ndjson');
    const pipeline = Pipeline.create({
      data_dir: join(dir, 'state'),
      api: { enabled: false },
      sources: { stdin: { source: stdinLike } },
      transforms: { parse: { type: 'json', inputs: ['stdin'] } },
      sinks: { archive: { type: 'file', inputs: ['parse'], path: out, fsync: false } },
    });
    await pipeline.run();
    const events = written(out);
    expect(events).toHaveLength(6);
    expect(events.filter((event) => typeof event.ok === 'number').map((event) => event.ok)).toEqual([1, 2, 3, 4]);
    expect(events[2]).toEqual(expect.objectContaining({ message: POISON, tags: ['json_parse_error'] }));
    expect(events[3]).toEqual(expect.objectContaining({ message: 'plain text', tags: ['json_parse_error'] }));
    expect(await metric(pipeline, 'sluice_component_errors_total', { component_id: 'parse', error_type: 'parse' })).toBe(2);
    expect(await metric(pipeline, 'sluice_source_ack_failures_total', { component_id: 'stdin' })).toBe(0);
  });

  it('that still reaches a sink fails alone, permanently, in the encoder: the five others are written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-poison-'));
    const out = join(dir, 'out.ndjson');
    // A transform that builds the deep object itself (no parser limit can stop it).
    // It picks the parsed `{"a":1}` line by its field: json drops the raw text once parsed.
    const deepen = mapEvents((event) => (event.a === 1 ? { message: 'deep', nested: JSON.parse(POISON) as unknown } : event) as LogEvent);
    const pipeline = Pipeline.create({
      data_dir: join(dir, 'state'),
      api: { enabled: false },
      sources: { stdin: { source: (ctx: SourceContext) => fromReadable(Readable.from([Buffer.from(STDIN.replace(POISON, '{"a":1}'))]), ctx, { maxLineBytes: 1 << 20 }) } },
      transforms: { parse: { type: 'json', inputs: ['stdin'] }, deepen: { operator: deepen, inputs: ['parse'] } },
      sinks: { archive: { type: 'file', inputs: ['deepen'], path: out, fsync: false } },
    });
    await pipeline.run();
    expect(written(out).map((event) => event.ok ?? event.message)).toEqual([1, 2, 'plain text', 3, 4]);
    expect(await metric(pipeline, 'sluice_component_errors_total', { component_id: 'archive', error_type: 'delivery' })).toBe(1);
    // The source hears that one event failed for good (no dead_letter: block), once.
    expect(await metric(pipeline, 'sluice_source_ack_failures_total', { component_id: 'stdin' })).toBe(1);
  });
});
