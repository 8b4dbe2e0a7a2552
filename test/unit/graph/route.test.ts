import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { ComponentRegistry } from '../../../src/components/registry';
import { builtinRegistry } from '../../../src/components/builtins';
import { Ack } from '../../../src/core/ack';
import { createBatch } from '../../../src/core/batch';
import { renderMermaid } from '../../../src/graph/mermaid';
import { Pipeline } from '../../../src/graph/pipeline';
import { pipeline } from '../../../src/graph/spec';
import { validateGraph } from '../../../src/graph/validate';
import { splitOutputs, type OutputBatch } from '../../../operators/route/outputs';
import { routeTransform } from '../../../src/transforms/route';
import { collected, collectSink, countingSource, shoutTransform } from './fixtures';

const registry = (): ComponentRegistry => new ComponentRegistry().register(countingSource, shoutTransform, collectSink, routeTransform);
const base = () => ({ data_dir: mkdtempSync(join(tmpdir(), 'sluice-route-')), api: { enabled: false } });
const messages = (id: string): string[] => (collected.get(id) ?? []).map((event) => String(event.message));
const range = (count: number): string[] => Array.from({ length: count }, (_, i) => String(i));

/** counting → route (tens, fives) → sinks reading `inputs`. */
function spec(sinks: Record<string, readonly string[]>, routeOptions: Record<string, unknown> = {}) {
  return {
    ...base(),
    sources: { raw: { type: 'counting', count: 100, batch_size: 7 } },
    transforms: { split: { type: 'route', inputs: ['raw'], routes: { tens: { field: 'message', matches: '0$' }, fives: { field: 'message', matches: '[05]$' } }, ...routeOptions } },
    sinks: Object.fromEntries(Object.entries(sinks).map(([id, inputs]) => [id, { type: 'collect', inputs }])),
  };
}
const issuesOf = (raw: unknown): string[] => validateGraph(raw, registry()).issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('route outputs in the graph', () => {
  it('validates route_id.output inputs and records who reads each output', () => {
    const { graph, issues } = validateGraph(spec({ a: ['split.tens'], b: ['split.fives', 'split._unmatched'] }), registry());
    expect(issues).toEqual([]);
    expect(graph?.nodes.get('split')?.outputs).toEqual(['tens', 'fives', '_unmatched']);
    expect(graph?.consumers.get('split.fives')).toEqual(['b']);
    expect(graph?.ports.get('split._unmatched')).toEqual({ node: 'split', output: '_unmatched' });
  });

  it('reports an unknown output name as a config error with a did-you-mean and the outputs there are', () => {
    expect(issuesOf(spec({ a: ['split.tenz'], b: ['split.fives'] }))).toEqual([
      'sinks.a.inputs.0: unknown output "tenz" of route "split" (did you mean "split.tens"?); its outputs: split.tens, split.fives, split._unmatched',
    ]);
  });

  it('refuses the bare id of a route (which output?) and an output of a component that has none', () => {
    expect(issuesOf(spec({ a: ['split'], b: ['raw.tens', 'split.tens'] }))).toEqual([
      'sinks.a.inputs.0: route "split" has named outputs; read one of them: split.tens, split.fives, split._unmatched',
      'sinks.b.inputs.0: source "raw" has no named outputs (it has no "tens"); read it as "raw"',
    ]);
  });

  it('offers route outputs as did-you-mean for an input naming nothing', () => {
    expect(issuesOf(spec({ a: ['split.tens', 'splt.fives'] }))[0]).toContain('(did you mean "split.fives"?)');
  });

  it('refuses an output named _unmatched or one a reader could not spell after a dot', () => {
    const raw = spec({ a: ['split.tens'] });
    raw.transforms.split.routes = { _unmatched: { field: 'message', exists: true }, 'a.b': { field: 'message', exists: true } } as never;
    expect(issuesOf(raw)).toEqual([
      'transforms.split.routes._unmatched: "_unmatched" is the output of events no route matched; name routes otherwise',
      'transforms.split.routes.a.b: an output name holds only letters, digits, "_" and "-" (it is read as "<id>.a.b")',
    ]);
  });

  it('accepts route outputs in a TypeScript pipeline()', () => {
    const typed = pipeline({
      sources: { raw: { type: 'generator' } },
      transforms: { split: { type: 'route', inputs: ['raw'], routes: { errors: { field: 'level', equals: 'error' } } } },
      sinks: { out: { type: 'blackhole', inputs: ['split.errors', 'split._unmatched'] } },
    });
    expect(validateGraph(typed, builtinRegistry()).issues).toEqual([]);
  });

  it('delivers each event by the first route it matches, and acknowledges and counts an unread _unmatched', async () => {
    const run = Pipeline.create(spec({ tensOut: ['split.tens'], fivesOut: ['split.fives'] }), { registry: registry() });
    await run.run();
    const numbers = range(100);
    expect(messages('tensOut')).toEqual(numbers.filter((m) => m.endsWith('0')));
    expect(messages('fivesOut')).toEqual(numbers.filter((m) => m.endsWith('5')));
    const metric = await run.metrics.registry.getSingleMetric('sluice_component_discarded_events_total')?.get();
    const unread = metric?.values.find((v) => v.labels.component_id === 'split')?.value;
    expect(unread).toBe(80);
    const inFlight = await run.metrics.registry.getSingleMetric('sluice_source_in_flight_events')?.get();
    expect(inFlight?.values.find((v) => v.labels.component_id === 'raw')?.value).toBe(0);
  });

  it('with match all, delivers an event to every route it matches, and fans one output out to two readers', async () => {
    const run = Pipeline.create(spec({ t1: ['split.tens'], t2: ['split.tens'], f: ['split.fives'], rest: ['split._unmatched'] }, { match: 'all' }), { registry: registry() });
    await run.run();
    const numbers = range(100);
    expect(messages('t1')).toEqual(numbers.filter((m) => m.endsWith('0')));
    expect(messages('t2')).toEqual(messages('t1'));
    expect(messages('f')).toEqual(numbers.filter((m) => /[05]$/.test(m)));
    expect(messages('rest')).toEqual(numbers.filter((m) => !/[05]$/.test(m)));
  });

  it('draws route outputs in `sluice graph` as labelled edges', () => {
    const { graph } = validateGraph(spec({ a: ['split.tens'], b: ['split._unmatched', 'raw'] }), registry());
    const text = renderMermaid(graph as NonNullable<typeof graph>);
    expect(text).toContain('  raw --> split\n');
    expect(text).toContain('  split -->|"tens"| a\n');
    expect(text).toContain('  split -->|"_unmatched"| b\n');
    expect(text).toContain('  raw --> b\n');
  });
});

describe('splitOutputs', () => {
  it('rejects the later batches of an output whose reader left, and lets go of upstream when every reader has', () => {
    const upstream = new Subject<OutputBatch>();
    const streams = splitOutputs(upstream, ['x', 'y'], () => undefined);
    const x = streams.get('x')?.subscribe();
    const y = streams.get('y')?.subscribe();
    x?.unsubscribe();
    const ack = Ack.create();
    upstream.next({ output: 'x', batch: createBatch([{ message: 'late' }], ack) });
    expect(ack.result).toEqual({ ok: false, reason: new Error('output "x" unsubscribed before its input completed') });
    expect(upstream.observed).toBe(true);
    y?.unsubscribe();
    expect(upstream.observed).toBe(false);
  });
});
