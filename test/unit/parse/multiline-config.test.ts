import { builtinRegistry } from '../../../src/components/builtins';
import { validateGraph } from '../../../src/graph/validate';

const registry = builtinRegistry();

/** The issues `sluice validate` reports for a graph with one transform configured as `options`. */
function issuesOf(type: string, options: Record<string, unknown>): string[] {
  const graph = {
    api: { enabled: false },
    sources: { gen: { type: 'generator', count: 1 } },
    transforms: { subject: { type, inputs: ['gen'], ...options } },
    sinks: { out: { type: 'blackhole', inputs: ['subject'] } },
  };
  return validateGraph(graph, registry).issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('the parsing transforms through the real config parser', () => {
  it('accepts each mode of multiline, and refuses a missing or broken pattern at validate time', () => {
    expect(issuesOf('multiline', {})).toEqual([]);
    expect(issuesOf('multiline', { mode: 'start_pattern', pattern: '^\\d{4}-', group_by: ['stream'], flush_timeout: '5s', max_bytes: '64KiB' })).toEqual([]);
    expect(issuesOf('multiline', { mode: 'continuation_pattern' })).toEqual([expect.stringMatching(/pattern: mode "continuation_pattern" needs a pattern/)]);
    expect(issuesOf('multiline', { mode: 'start_pattern', pattern: '([' })).toEqual([expect.stringMatching(/pattern: not a valid regular expression/)]);
    expect(issuesOf('multiline', { mode: 'continuation_whitespace', pattern: 'x' })).toEqual([expect.stringMatching(/pattern: mode "continuation_whitespace" takes no pattern/)]);
    expect(issuesOf('multiline', { mode: 'start' })).toHaveLength(1);
  });

  it('refuses separators, delimiters and columns that cannot work', () => {
    expect(issuesOf('kv', { field_separator: '&', value_separator: '&' })).toEqual([expect.stringMatching(/value_separator: must differ/)]);
    expect(issuesOf('kv', { field_separator: '' })).toHaveLength(1);
    expect(issuesOf('csv', { delimiter: ';;' })).toHaveLength(1);
    expect(issuesOf('csv', { columns: ['a', 'a'] })).toEqual([expect.stringMatching(/columns.1: column "a" is named twice/)]);
    expect(issuesOf('syslog', { timezone: 'Mars/Olympus' })).toEqual([expect.stringMatching(/timezone: unknown IANA time zone/)]);
    expect(issuesOf('syslog', { default_priority: 192 })).toHaveLength(1);
  });

  it('accepts the container log parsers with their defaults', () => {
    expect(issuesOf('cri', {})).toEqual([]);
    expect(issuesOf('docker', { group_by: ['container', 'stream'] })).toEqual([]);
    expect(issuesOf('logfmt', { field: 'log' })).toEqual([]);
  });
});
