import { junitReport } from '../../../src/cli/test/report';
import { diffEvents, formatDifferences, VirtualClock, withoutFields } from '../../../src/testing';

describe('diffEvents', () => {
  it('names each differing leaf by its dotted path, arrays by index, absent fields as absent', () => {
    const differences = diffEvents(
      [{ message: 'a', http: { status: 500, tags: ['x', 'y'] }, gone: 1 }],
      [{ message: 'a', http: { status: 502, tags: ['x'] }, extra: true }],
    );
    expect(formatDifferences(differences)).toBe(
      [
        '  event 0: http.status: expected 500, got 502',
        '  event 0: http.tags.1: expected "y", got (absent)',
        '  event 0: gone: expected 1, got (absent)',
        '  event 0: extra: expected (absent), got true',
      ].join('\n'),
    );
  });

  it('reports missing and unexpected events by index', () => {
    expect(formatDifferences(diffEvents([{ message: 'a' }, { message: 'b' }], [{ message: 'a' }]))).toBe('  event 1: missing, expected {"message":"b"}');
    expect(formatDifferences(diffEvents([], [{ message: 'z' }]))).toBe('  event 0: unexpected {"message":"z"}');
  });

  it('compares as JSON: symbol-keyed metadata and undefined fields do not count, ignored paths are left out', () => {
    const actual = { message: 'a', level: undefined, [Symbol('meta')]: 1, timestamp: 'now', nested: { at: 1, keep: 2 } };
    expect(diffEvents([{ message: 'a', nested: { keep: 2 } }], [actual], ['timestamp', 'nested.at'])).toEqual([]);
    expect(withoutFields({ a: { b: 1, c: 2 } }, ['a.b'])).toEqual({ a: { c: 2 } });
  });
});

describe('junitReport', () => {
  it('escapes what XML cannot hold in names and failure texts', () => {
    const xml = junitReport([{ file: 'a&b.test.yaml', errors: [], cases: [{ name: '<quoted> "case"', file: 'a&b.test.yaml', passed: false, failures: ['got \u0001 & <tag>'], durationMs: 1500, virtualMs: 0 }] }]);
    expect(xml).toContain('<testsuite name="a&amp;b.test.yaml" tests="1" failures="1" errors="0" time="1.500">');
    expect(xml).toContain('<testcase name="&lt;quoted&gt; &quot;case&quot;" classname="a&amp;b.test.yaml" time="1.500"><failure message="got  &amp; &lt;tag&gt;">got  &amp; &lt;tag&gt;</failure></testcase>');
  });
});

describe('VirtualClock', () => {
  it('runs scheduled work in order as time advances, starting at its epoch', async () => {
    const clock = new VirtualClock(1_000_000);
    const seen: Array<[string, number]> = [];
    clock.scheduler.schedule(() => seen.push(['late', clock.now()]), 5_000);
    clock.scheduler.schedule(() => seen.push(['early', clock.now()]), 1_000);
    await clock.advance(2_000);
    expect(seen).toEqual([['early', 1_001_000]]);
    expect(clock.elapsedMs).toBe(2_000);
    await clock.advance(10_000);
    expect(seen).toEqual([
      ['early', 1_001_000],
      ['late', 1_005_000],
    ]);
  });

  it('lets promise callbacks run between any two timers, as the event loop does', async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    clock.scheduler.schedule(() => void Promise.resolve().then(() => order.push('answer')), 10);
    clock.scheduler.schedule(() => order.push('timeout'), 10);
    clock.scheduler.schedule(() => order.push('later timer'), 11);
    await clock.advance(20);
    expect(order).toEqual(['answer', 'timeout', 'later timer']);
  });
});
