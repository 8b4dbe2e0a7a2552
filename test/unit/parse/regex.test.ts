import { lastValueFrom, of, toArray } from 'rxjs';
import { createBatch } from '../../../src/core/batch';
import { ConfigError } from '../../../src/core/errors';
import type { LogEvent } from '../../../src/core/event';
import { compileRegex } from '../../../operators/parse/regex';
import { regexTransform } from '../../../src/transforms/regex';
import { configIssues, metricValue, parseConfig, testContext } from '../../helpers/context';

async function regex(config: Record<string, unknown>, events: LogEvent[], ctx = testContext()): Promise<LogEvent[]> {
  const operator = regexTransform.create(parseConfig(regexTransform, config), ctx);
  const [out] = await lastValueFrom(of(createBatch(events)).pipe(operator, toArray()));
  return out.events;
}

const errorOf = (source: string): string => {
  try {
    compileRegex(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`${source} compiled`);
};

describe('regex', () => {
  it('turns named groups into fields, dotted names nested, :int and :float converted', async () => {
    const [event] = await regex({ patterns: ['^(?<client>\\S+) (?<http.verb>[A-Z]+) (?<http.path>\\S+) (?<http.status:int>\\d{3}) (?<took:float>[\\d.]+)$'] }, [
      { message: '10.0.0.1 GET /a 503 0.125' },
    ]);
    expect(event).toEqual({ message: '10.0.0.1 GET /a 503 0.125', client: '10.0.0.1', http: { verb: 'GET', path: '/a', status: 503 }, took: 0.125 });
  });

  it('tries patterns in order (first wins) and leaves out groups that did not take part', async () => {
    const patterns = ['^(?<level>[A-Z]+): (?<text>.*)$', '^(?<text>.*?)(?: \\[(?<code>\\d+)\\])?$'];
    const events = await regex({ patterns, drop_field: true }, [{ message: 'WARN: low disk' }, { message: 'plain' }, { message: 'with code [42]' }]);
    expect(events).toEqual([{ level: 'WARN', text: 'low disk' }, { text: 'plain' }, { text: 'with code', code: '42' }]);
  });

  it('reads a nested field, writes under target, and tags or keeps what no pattern matched', async () => {
    const ctx = testContext();
    const input = [{ kubernetes: { log: 'id=7' } }, { kubernetes: { log: 'nothing here' } }, { other: 1 }];
    const tagged = await regex({ patterns: ['id=(?<id:int>\\d+)'], field: 'kubernetes.log', target: 'parsed' }, input, ctx);
    expect(tagged).toEqual([
      { kubernetes: { log: 'id=7' }, parsed: { id: 7 } },
      { kubernetes: { log: 'nothing here' }, tags: ['regex_parse_error'] },
      { other: 1, tags: ['regex_parse_error'] },
    ]);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'parse' })).toBe(2);
    const kept = await regex({ patterns: ['id=(?<id>\\d+)'], on_failure: 'keep' }, [{ message: 'no' }]);
    expect(kept).toEqual([{ message: 'no' }]);
  });

  it('drops what no pattern matched with on_failure: drop, counted as discarded', async () => {
    const ctx = testContext();
    const events = await regex({ patterns: ['^ok'], on_failure: 'drop' }, [{ message: 'ok 1' }, { message: 'bad' }, { message: 'ok 2' }], ctx);
    expect(events.map((event) => event.message)).toEqual(['ok 1', 'ok 2']);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_discarded_events_total')).toBe(1);
  });

  it('treats a value over max_length as a failure without running the regex', async () => {
    const [event] = await regex({ patterns: ['(?<all>.*)'], max_length: 10 }, [{ message: 'x'.repeat(11) }]);
    expect(event).toEqual({ message: 'x'.repeat(11), tags: ['regex_parse_error'] });
  });

  it('rejects bad regexes with the position of the problem', () => {
    expect(errorOf('^(?<a>\\d+) (b*+)$')).toBe('invalid regex at position 15 of "^(?<a>\\\\d+) (b*+)$": Nothing to repeat');
    expect(errorOf('a)b')).toBe('unmatched ")" at position 2 of "a)b"');
    expect(errorOf('x(?<a>y')).toBe('unterminated group "(" at position 2 of "x(?<a>y"');
    expect(errorOf('[z-a]')).toBe('invalid regex at position 4 of "[z-a]": Range out of order in character class');
    expect(errorOf('(?<9lives>x)')).toContain('invalid group name at position 4');
    expect(errorOf('(?<a>x)\\k<a>')).toContain('named back-references');
    expect(errorOf('(?<__proto__>x)')).toContain('"__proto__" is not a field');
  });

  it('reports a bad pattern as a config issue at its index during validation', () => {
    const issues = regexTransform.check?.(parseConfig(regexTransform, { patterns: ['ok', '(?<a>x'] })) ?? [];
    expect(issues).toEqual([{ path: ['patterns', 1], message: 'unterminated group "(" at position 1 of "(?<a>x"' }]);
    expect(configIssues(regexTransform, { patterns: [] })).toEqual(['patterns: needs at least 1 item(s)']);
  });
});
