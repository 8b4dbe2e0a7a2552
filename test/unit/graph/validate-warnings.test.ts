import { defineTransform } from '../../../src/components/define';
import { validateGraph } from '../../../src/graph/validate';
import { testRegistry } from './fixtures';

// Stands in for the built-in `buffer` transform: the check knows an ack boundary by its type.
const bufferStandIn = defineTransform({ type: 'buffer', summary: 'test buffer', options: {}, example: {}, create: () => (input) => input });
const registry = () => testRegistry().register(bufferStandIn);

/** The warnings of a spec that must validate, as `path: message`. */
function warnings(spec: unknown): string[] {
  const { graph, issues } = validateGraph(spec, registry());
  expect(issues).toEqual([]);
  return (graph?.warnings ?? []).map((warning) => `${warning.path.join('.')}: ${warning.message}`);
}

const counting = (events: number, bytes = 32 * 1024 * 1024) => ({ type: 'counting', max_in_flight_events: events, max_in_flight_bytes: bytes });
const collect = (inputs: string[], batch: Record<string, unknown>) => ({ type: 'collect', inputs, batch: { timeout: '1s', ...batch } });

describe('validateGraph warnings: sink batches the upstream credit cannot fill', () => {
  it('warns at batch.max_events when it exceeds the only source\'s max_in_flight_events, naming both numbers', () => {
    expect(warnings({ sources: { raw: counting(1000) }, sinks: { out: collect(['raw'], { max_events: 5000 }) } })).toEqual([
      'sinks.out.batch.max_events: 5000 events per batch, but the sources feeding this sink hold at most 1000 in flight ' +
        '(max_in_flight_events of raw: 1000), so no batch ever fills: each goes out short, after up to batch.timeout (1000ms); ' +
        'lower batch.max_events or raise max_in_flight_events',
    ]);
  });

  it('warns at batch.max_bytes when it exceeds the sources\' max_in_flight_bytes, in config units', () => {
    expect(warnings({ sources: { raw: counting(1000, 1024 * 1024) }, sinks: { out: collect(['raw'], { max_bytes: '4MiB' }) } })).toEqual([
      'sinks.out.batch.max_bytes: 4MiB per batch, but the sources feeding this sink hold at most 1MiB in flight ' +
        '(max_in_flight_bytes of raw: 1MiB), so no batch ever fills: each goes out short, after up to batch.timeout (1000ms); ' +
        'lower batch.max_bytes or raise max_in_flight_bytes',
    ]);
  });

  it('stays silent when the batch can fill exactly to the credit', () => {
    expect(warnings({ sources: { raw: counting(1000, 1024 * 1024) }, sinks: { out: collect(['raw'], { max_events: 1000, max_bytes: '1MiB' }) } })).toEqual([]);
  });

  it('follows the credit through transforms', () => {
    const spec = { sources: { raw: counting(10) }, transforms: { loud: { type: 'shout', inputs: ['raw'] } }, sinks: { out: collect(['loud'], {}) } };
    expect(warnings(spec)).toEqual([expect.stringMatching(/^sinks\.out\.batch\.max_events: 100 events per batch, .* at most 10 in flight \(max_in_flight_events of raw: 10\)/)]);
  });

  it('sums the sources of a fan-in, so two sources together can fill what neither can alone', () => {
    const sources = { a: counting(60), b: counting(50) };
    expect(warnings({ sources, sinks: { out: collect(['a', 'b'], { max_events: 100 }) } })).toEqual([]);
    expect(warnings({ sources, sinks: { out: collect(['a', 'b'], { max_events: 200 }) } })).toEqual([
      expect.stringContaining('at most 110 in flight (max_in_flight_events of a: 60, b: 50)'),
    ]);
  });

  it('counts a source once per route when a fan-out meets again at the sink', () => {
    const spec = {
      sources: { raw: counting(40) },
      transforms: { left: { type: 'shout', inputs: ['raw'] }, right: { type: 'shout', inputs: ['raw'] } },
      sinks: { out: collect(['left', 'right'], { max_events: 100 }) },
    };
    expect(warnings(spec)).toEqual([expect.stringContaining('at most 80 in flight (max_in_flight_events of raw: 2 × 40)')]);
  });

  it('does not warn across a standalone buffer: it acks upstream once it owns the events', () => {
    const spec = {
      sources: { raw: counting(10) },
      transforms: { spool: { type: 'buffer', inputs: ['raw'] }, loud: { type: 'shout', inputs: ['spool'] } },
      sinks: { out: collect(['loud'], { max_events: 5000 }) },
    };
    expect(warnings(spec)).toEqual([]);
  });

  it('does not warn on a fan-in when one of its inputs comes through a buffer', () => {
    const spec = {
      sources: { raw: counting(10), other: counting(10) },
      transforms: { spool: { type: 'buffer', inputs: ['raw'] } },
      sinks: { out: collect(['spool', 'other'], { max_events: 5000 }) },
    };
    expect(warnings(spec)).toEqual([]);
  });

  it('still warns on a sink with its own buffer: block, whose batch sits in front of that buffer', () => {
    const spec = { sources: { raw: counting(10) }, sinks: { out: { ...collect(['raw'], { max_events: 5000 }), buffer: { mode: 'memory' } } } };
    expect(warnings(spec)).toEqual([expect.stringMatching(/^sinks\.out\.batch\.max_events: 5000 events per batch/)]);
  });

  it('warns for each sink on its own', () => {
    const spec = {
      sources: { raw: counting(500) },
      sinks: { small: collect(['raw'], { max_events: 100 }), big: collect(['raw'], { max_events: 1000 }) },
    };
    expect(warnings(spec)).toEqual([expect.stringMatching(/^sinks\.big\.batch\.max_events: /)]);
  });

  it('reports no warnings for a graph that does not validate', () => {
    const result = validateGraph({ sources: { raw: counting(1) }, sinks: { out: { ...collect(['raw'], { max_events: 5000 }), bogus: 1 } } }, registry());
    expect(result.graph).toBeUndefined();
    expect(result.issues).toHaveLength(1);
  });
});
