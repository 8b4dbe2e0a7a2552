import { pipeline } from '../../../src/graph/spec';

// These assertions are checked by the compiler (`npm run typecheck`, run by CI): each
// `@ts-expect-error` must mark a real type error, or the build fails.
describe('pipeline() types', () => {
  it('accepts a well-typed graph with sink blocks and fan-out policy', () => {
    const spec = pipeline({
      sources: { demo: { type: 'generator', count: 10, fan_out: { mode: 'sequential' } } },
      transforms: { parsed: { type: 'json', inputs: ['demo'] } },
      sinks: {
        out: { type: 'file', inputs: ['parsed'], path: 'data/x.ndjson', buffer: { mode: 'disk', when_full: 'block' }, retry: { max_retries: 3 } },
        tap: { type: 'console', inputs: ['demo'] },
      },
    });
    expect(Object.keys(spec.sinks)).toEqual(['out', 'tap']);
  });

  it('rejects unknown types, wrong option types and unknown input names at compile time', () => {
    const specs = [
      // @ts-expect-error: no source type "nope"
      pipeline({ sources: { a: { type: 'nope' } }, sinks: { b: { type: 'blackhole', inputs: ['a'] } } }),
      // @ts-expect-error: count is a number
      pipeline({ sources: { a: { type: 'generator', count: 'many' } }, sinks: { b: { type: 'blackhole', inputs: ['a'] } } }),
      // @ts-expect-error: "ghost" names no source or transform
      pipeline({ sources: { a: { type: 'generator' } }, sinks: { b: { type: 'blackhole', inputs: ['ghost'] } } }),
      // @ts-expect-error: when_full has no "explode"
      pipeline({ sources: { a: { type: 'generator' } }, sinks: { b: { type: 'blackhole', inputs: ['a'], buffer: { when_full: 'explode' } } } }),
    ];
    expect(specs).toHaveLength(4);
  });
});
