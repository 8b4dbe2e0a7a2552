import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import type { AckOutcome } from '../../../src/core/ack';
import { createBatch } from '../../../src/core/batch';
import type { SourceContext } from '../../../src/components/context';
import type { LogEvent } from '../../../src/core/event';
import { builtinRegistry } from '../../../src/components/builtins';
import { Pipeline } from '../../../src/graph/pipeline';
import { validateGraph } from '../../../src/graph/validate';
import { createFileSink } from '../../../src/sinks/file';

const temp = (): string => mkdtempSync(join(tmpdir(), 'sluice-aggregate-file-'));

describe('aggregate → file with encoding json_document', () => {
  it('writes one JSON document per hour, and acknowledges the sources once their events are counted', async () => {
    const dir = temp();
    const settled: boolean[] = [];
    const hits: LogEvent[] = ['10:01', '10:30', '11:15', '13:00'].map((time, i) => ({ timestamp: `2026-12-03T${time}:00Z`, path: i % 2 === 0 ? '/' : '/a' }));
    const pipeline = Pipeline.create({
      data_dir: join(dir, 'data'),
      api: { enabled: false },
      sources: {
        access: {
          source: (ctx: SourceContext) =>
            new Observable((subscriber) => {
              for (const hit of hits) subscriber.next(createBatch([hit], ctx.track(1, 50, (outcome: AckOutcome) => settled.push(outcome.ok))));
              subscriber.complete();
            }),
        },
      },
      transforms: { hourly: { type: 'aggregate', inputs: ['access'], window: '1h', top: [{ field: 'path' }] } },
      sinks: { files: { type: 'file', inputs: ['hourly'], path: join(dir, 'out/%Y-%m-%d/summary_%H.json'), encoding: 'json_document' } },
    });
    await pipeline.run();
    expect(settled).toEqual([true, true, true, true]);
    expect(readdirSync(join(dir, 'out/2026-12-03')).sort()).toEqual(['summary_10.json', 'summary_11.json', 'summary_13.json']);
    const ten = JSON.parse(readFileSync(join(dir, 'out/2026-12-03/summary_10.json'), 'utf8'));
    expect(ten).toEqual({
      timestamp: '2026-12-03T10:00:00.000Z',
      window: { start: '2026-12-03T10:00:00.000Z', end: '2026-12-03T11:00:00.000Z' },
      count: 2,
      top: { path: { values: [{ value: '/', count: 1 }, { value: '/a', count: 1 }], others: 0 } },
    });
  });

  it('writes several events bound for one file as one JSON array, and replaces the file on a later write', async () => {
    const dir = temp();
    const sink = createFileSink({ path: join(dir, '%H.json'), fsync: false, encoding: 'json_document', maxOpenFiles: 4 });
    const at = '2026-12-03T10:00:00.000Z';
    await sink.send(createBatch([{ timestamp: at, n: 1 }, { timestamp: at, n: 2 }]), { signal: new AbortController().signal });
    expect(JSON.parse(readFileSync(join(dir, '10.json'), 'utf8'))).toEqual([{ timestamp: at, n: 1 }, { timestamp: at, n: 2 }]);
    await sink.send(createBatch([{ timestamp: at, n: 3 }]), { signal: new AbortController().signal });
    expect(readFileSync(join(dir, '10.json'), 'utf8')).toBe(`{"timestamp":"${at}","n":3}\n`);
    await sink.close();
  });

  it('fails only the event that has no JSON form, and refuses compression with json_document at validation', async () => {
    const dir = temp();
    const sink = createFileSink({ path: join(dir, 'doc.json'), fsync: false, encoding: 'json_document', maxOpenFiles: 4 });
    const result = await sink.send(createBatch([{ n: 1 }, { n: 10n as unknown as number }], undefined, 10), { signal: new AbortController().signal });
    expect(result.failures?.map((failure) => [failure.index, failure.retryable])).toEqual([[1, false]]);
    expect(JSON.parse(readFileSync(join(dir, 'doc.json'), 'utf8'))).toEqual({ n: 1 });
    const spec = { sources: { g: { type: 'generator' } }, sinks: { f: { type: 'file', inputs: ['g'], encoding: 'json_document', compression: 'gzip' } } };
    expect(validateGraph(spec, builtinRegistry()).issues).toEqual([{ path: ['sinks', 'f', 'compression'], message: 'json_document writes plain JSON files; compression must be none, got gzip' }]);
  });
});
