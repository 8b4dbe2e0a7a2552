import { validateGraph } from '../../../src/graph/validate';
import { testRegistry } from './fixtures';

const messages = (spec: unknown): string[] => validateGraph(spec, testRegistry()).issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('validateGraph', () => {
  it('accepts a well-formed graph and orders every component after its inputs', () => {
    const { graph, issues } = validateGraph(
      {
        sinks: { out: { type: 'collect', inputs: ['loud', 'raw'] } },
        transforms: { loud: { type: 'shout', inputs: ['raw'] } },
        sources: { raw: { type: 'counting' } },
      },
      testRegistry(),
    );
    expect(issues).toEqual([]);
    expect(graph?.order).toEqual(['raw', 'loud', 'out']);
    expect(graph?.consumers.get('raw')).toEqual(['loud', 'out']);
    expect(graph?.nodes.get('out')?.config).toMatchObject({ concurrency: 1, batch: { max_events: 100 } });
  });

  it('applies defaults of the common source options', () => {
    const { graph } = validateGraph({ sources: { a: { type: 'counting' } }, sinks: { b: { type: 'collect', inputs: ['a'] } } }, testRegistry());
    expect(graph?.nodes.get('a')?.config).toMatchObject({ count: 10, max_in_flight_events: 20_000 });
  });

  it('names unknown component types with the known ones', () => {
    expect(messages({ sources: { a: { type: 'nope' } }, sinks: { b: { type: 'collect', inputs: ['a'] } } })).toEqual([
      'sources.a.type: unknown source type "nope"; known source types: counting',
    ]);
  });

  it('reports unknown options with a suggestion', () => {
    expect(messages({ sources: { a: { type: 'counting', cuont: 3 } }, sinks: { b: { type: 'collect', inputs: ['a'] } } })).toEqual([
      expect.stringMatching(/^sources\.a\.cuont: unknown option "cuont" \(did you mean "count"\?\)/),
    ]);
  });

  it('reports unknown inputs, missing inputs and components that feed nothing', () => {
    const found = messages({
      sources: { a: { type: 'counting' }, idle: { type: 'counting' } },
      transforms: { t: { type: 'shout' } },
      sinks: { b: { type: 'collect', inputs: ['a', 'ghost'] } },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^transforms\.t\.inputs: transform "t" needs "inputs:"/),
        expect.stringMatching(/^sinks\.b\.inputs\.1: unknown input "ghost"/),
        expect.stringMatching(/^sources\.idle: source "idle" feeds nothing/),
      ]),
    );
  });

  it('rejects a cycle and names the components on it', () => {
    const found = messages({
      sources: { a: { type: 'counting' } },
      transforms: { x: { type: 'shout', inputs: ['a', 'y'] }, y: { type: 'shout', inputs: ['x'] } },
      sinks: { b: { type: 'collect', inputs: ['y'] } },
    });
    expect(found).toEqual(['transforms.x.inputs: the graph has a cycle: x → y → x (a component cannot read its own output, even through others)']);
  });

  // Regression (issue 14): the report listed everything Kahn's algorithm left over, so a
  // sink below the cycle was named on it (`a → b → out`).
  it('names only the components on a cycle, not those downstream of it, and each cycle once', () => {
    const found = messages({
      sources: { src: { type: 'counting' } },
      transforms: {
        a: { type: 'shout', inputs: ['src', 'c'] },
        b: { type: 'shout', inputs: ['a'] },
        c: { type: 'shout', inputs: ['b'] },
        below: { type: 'shout', inputs: ['c'] },
        self: { type: 'shout', inputs: ['src', 'self'] },
      },
      sinks: { out: { type: 'collect', inputs: ['below', 'self'] } },
    });
    expect(found).toEqual([
      'transforms.a.inputs: the graph has a cycle: a → b → c → a (a component cannot read its own output, even through others)',
      'transforms.self.inputs: the graph has a cycle: self → self (a component cannot read its own output, even through others)',
    ]);
  });

  // Regression (issue 14): no did-you-mean, and sinks were offered although no input can read one.
  it('suggests the closest source or transform for an unknown input and lists only those', () => {
    const found = messages({
      sources: { app: { type: 'counting' } },
      transforms: { parse: { type: 'shout', inputs: ['app'] } },
      sinks: { archive: { type: 'collect', inputs: ['prase'] }, arch: { type: 'collect', inputs: ['archiv'] } },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'sinks.archive.inputs.0: unknown input "prase" (did you mean "parse"?); inputs can name sources and transforms: app, parse',
        'sinks.arch.inputs.0: unknown input "archiv"; inputs can name sources and transforms: app, parse',
      ]),
    );
  });

  // Regression (issue 14): a misspelt section got no did-you-mean and was told of the settings only.
  it('suggests sources for a misspelt top-level sourcez and lists the sections among the known keys', () => {
    const found = messages({ sourcez: { a: { type: 'counting' } }, sinks: { b: { type: 'collect', inputs: ['a'] } } });
    expect(found).toEqual(
      expect.arrayContaining([
        'sourcez: unknown option "sourcez" (did you mean "sources"?); known options: data_dir, api, shutdown_timeout, workers, sources, transforms, sinks',
        'sources: a pipeline needs at least one source',
      ]),
    );
  });

  it('rejects duplicate names across sections and sinks used as inputs', () => {
    const found = messages({
      sources: { a: { type: 'counting' } },
      transforms: { a: { type: 'shout', inputs: ['a'] } },
      sinks: { b: { type: 'collect', inputs: ['a'] }, c: { type: 'collect', inputs: ['b'] } },
    });
    expect(found).toEqual(
      expect.arrayContaining([expect.stringMatching(/^transforms\.a: the name "a" is already used/), expect.stringMatching(/"b" is a sink/)]),
    );
  });

  it('rejects unknown top-level settings and bad option types', () => {
    const found = messages({ colour: 'red', sources: { a: { type: 'counting', count: 'many' } }, sinks: { b: { type: 'collect', inputs: ['a'] } } });
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^colour: unknown option/), 'sources.a.count: expected a number, got string']));
  });

  it('requires sources and sinks', () => {
    expect(messages({})).toEqual(['sources: a pipeline needs at least one source', 'sinks: a pipeline needs at least one sink']);
  });

  it('accepts TypeScript-only custom components beside registered ones', () => {
    const { graph, issues } = validateGraph(
      { sources: { a: { source: () => undefined } }, transforms: { t: { operator: (x: unknown) => x, inputs: ['a'] } }, sinks: { b: { sink: { send: () => undefined }, inputs: ['t'] } } },
      testRegistry(),
    );
    expect(issues).toEqual([]);
    expect([...(graph?.nodes.values() ?? [])].map((node) => node.type)).toEqual(['custom', 'custom', 'custom']);
  });
});
