import { compileTemplate, PathRenderer } from '../../../src/sinks/strftime';

const iso = '2024-03-01T10:20:30.456Z';

describe('compileTemplate', () => {
  it('renders every supported directive from the ISO string, and %% as a literal percent', () => {
    expect(compileTemplate('%Y/%m/%d/%H-%M-%S 100%%.log').render(iso)).toBe('2024/03/01/10-20-30 100%.log');
  });

  it('depends on as much of the timestamp as its finest directive', () => {
    expect(compileTemplate('logs/%Y-%m-%d/%H.ndjson').keyLength).toBe(13);
    expect(compileTemplate('logs/%d.ndjson').keyLength).toBe(10);
    expect(compileTemplate('logs/all.ndjson').keyLength).toBe(0);
  });

  it('rejects unknown directives and a trailing lone percent', () => {
    expect(() => compileTemplate('%Y-%q')).toThrow(/%q/);
    expect(() => compileTemplate('logs%')).toThrow(/unsupported directive/);
  });
});

describe('PathRenderer', () => {
  const fallback = () => '2030-01-01T00:00:00.000Z';

  it('renders events of one hour to one path and the next hour to another', () => {
    const renderer = new PathRenderer('%Y-%m-%d/%H');
    expect(renderer.pathFor('2024-03-01T10:00:00Z', fallback)).toBe('2024-03-01/10');
    expect(renderer.pathFor('2024-03-01T10:59:59.999Z', fallback)).toBe('2024-03-01/10');
    expect(renderer.pathFor('2024-03-01T11:00:00Z', fallback)).toBe('2024-03-01/11');
    expect(renderer.pathFor('2024-03-01T10:30:00Z', fallback)).toBe('2024-03-01/10');
  });

  it('converts offsets and epoch milliseconds to UTC', () => {
    const renderer = new PathRenderer('%Y-%m-%d/%H');
    expect(renderer.pathFor('2024-03-01T10:30:00Z', fallback)).toBe('2024-03-01/10');
    // Same hour prefix, but the offset moves it to another UTC hour: the fast path must not apply.
    expect(renderer.pathFor('2024-03-01T10:30:00+01:00', fallback)).toBe('2024-03-01/09');
    expect(renderer.pathFor(Date.UTC(2024, 2, 1, 12), fallback)).toBe('2024-03-01/12');
  });

  it('uses the fallback for missing, invalid and out-of-range times', () => {
    const renderer = new PathRenderer('%Y/%H');
    expect(renderer.pathFor(undefined, fallback)).toBe('2030/00');
    expect(renderer.pathFor('yesterday-ish', fallback)).toBe('2030/00');
    expect(renderer.pathFor('+275760-09-13T00:00:00.000Z', fallback)).toBe('2030/00');
  });
});
