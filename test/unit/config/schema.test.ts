import {
  boolean,
  bytes,
  duration,
  integer,
  IssueCollector,
  json,
  list,
  number,
  object,
  oneOf,
  optional,
  record,
  string,
  type Option,
  type SchemaIssue,
} from '../../../src/config/schema';

/** Parses `value` with `option` at the root path and returns the value and every issue. */
function parse<Out, In>(option: Option<Out, In>, value: unknown): { value: Out | undefined; issues: SchemaIssue[] } {
  const issues = new IssueCollector();
  const parsed = option.parse(value, [], issues);
  return { value: parsed, issues: issues.issues };
}

/** The messages of the issues, one per path written dotted (`sinks.out.batch`). */
function messages(issues: readonly SchemaIssue[]): Record<string, string> {
  return Object.fromEntries(issues.map((issue) => [issue.path.join('.'), issue.message]));
}

describe('config schema', () => {
  describe('string', () => {
    const option = string({ description: 'Topic to write to.', pattern: /^[a-z.]+$/ });

    it('accepts a string matching its pattern', () => {
      expect(parse(option, 'app.logs')).toEqual({ value: 'app.logs', issues: [] });
    });

    it('reports a value of another type', () => {
      expect(parse(option, 42).issues).toEqual([{ path: [], message: 'expected a string, got number' }]);
    });

    it('reports a string that does not match its pattern', () => {
      expect(parse(option, 'App Logs').issues[0].message).toBe('does not match /^[a-z.]+$/: "App Logs"');
    });

    it('reports a missing required value with its description', () => {
      expect(parse(option, undefined)).toEqual({
        value: undefined,
        issues: [{ path: [], message: 'missing required option (string): Topic to write to.' }],
      });
    });

    it('treats null as absent', () => {
      expect(parse(string({ description: 'Host.', default: 'localhost' }), null)).toEqual({ value: 'localhost', issues: [] });
    });
  });

  describe('integer and number', () => {
    const events = integer({ description: 'Most events.', default: 500, min: 1, max: 10_000 });
    const ratio = number({ description: 'Sample ratio.', min: 0, max: 1 });

    it('applies the default when absent', () => {
      expect(parse(events, undefined)).toEqual({ value: 500, issues: [] });
    });

    it('accepts values within bounds', () => {
      expect(parse(events, 10_000).value).toBe(10_000);
      expect(parse(ratio, 0.25).value).toBe(0.25);
    });

    it('reports values outside bounds', () => {
      expect(parse(events, 0).issues[0].message).toBe('must be at least 1, got 0');
      expect(parse(events, 10_001).issues[0].message).toBe('must be at most 10000, got 10001');
      expect(parse(ratio, 1.5).issues[0].message).toBe('must be at most 1, got 1.5');
    });

    it('reports a fraction where an integer is expected', () => {
      expect(parse(events, 2.5).issues[0].message).toBe('expected an integer, got 2.5');
    });

    it('reports strings and NaN where a number is expected', () => {
      expect(parse(events, '500').issues[0].message).toBe('expected a number, got string');
      expect(parse(ratio, Number.NaN).issues).toHaveLength(1);
    });

    it('documents bounds and default', () => {
      expect(events.doc).toMatchObject({ type: 'integer', default: 500, required: false, limits: '1 .. 10000' });
      expect(ratio.doc).toMatchObject({ type: 'number', required: true, limits: '0 .. 1' });
      expect(integer({ description: 'Any.', min: 1 }).doc.limits).toBe('1 .. ∞');
      expect(integer({ description: 'Any.' }).doc.limits).toBeUndefined();
    });
  });

  describe('boolean', () => {
    const option = boolean({ description: 'Follow renamed files.', default: false });

    it('applies a false default rather than treating it as missing', () => {
      expect(parse(option, undefined)).toEqual({ value: false, issues: [] });
      expect(option.doc.required).toBe(false);
    });

    it('reports anything but true or false', () => {
      expect(parse(option, 'yes').issues[0].message).toBe('expected true or false, got string');
    });
  });

  describe('oneOf', () => {
    const option = oneOf(['block', 'drop_oldest', 'drop_newest'], { description: 'When full.', default: 'block' });

    it('accepts one of its values', () => {
      expect(parse(option, 'drop_oldest').value).toBe('drop_oldest');
    });

    it('lists the allowed values when given another', () => {
      expect(parse(option, 'drop').issues[0].message).toBe('expected one of block, drop_oldest, drop_newest, got "drop"');
    });

    it('documents its values as its type', () => {
      expect(option.doc.type).toBe('"block" | "drop_oldest" | "drop_newest"');
    });
  });

  describe('duration', () => {
    const option = duration({ description: 'Batch timeout.', default: 1_000, min: 0, max: 60_000 });

    it.each([
      ['250ms', 250],
      ['5s', 5_000],
      ['1.5s', 1_500],
      ['1m', 60_000],
      ['1min', 60_000],
      [750, 750],
    ])('parses %p as %p milliseconds', (input, ms) => {
      expect(parse(option, input)).toEqual({ value: ms, issues: [] });
    });

    it('applies its default when absent', () => {
      expect(parse(option, undefined).value).toBe(1_000);
    });

    it('reports a malformed duration with an example of a good one', () => {
      expect(parse(option, 'soon').issues[0].message).toBe('expected a duration such as "500ms", "5s" or "2min" (units: ms, s, m or min, h, d), got "soon"');
    });

    it('reports a unit that is not a duration unit, listing the accepted ones', () => {
      expect(parse(option, '64MiB').issues).toEqual([{ path: [], message: 'unknown duration unit "MiB": write one of ms, s, m or min, h, d (case-sensitive)' }]);
    });

    it('reports a duration outside its bounds after parsing it', () => {
      expect(parse(option, '2m').issues[0].message).toBe('must be at most 60000, got 120000');
    });

    it('documents its limits in milliseconds', () => {
      expect(option.doc.limits).toBe('0ms .. 60000ms');
    });
  });

  describe('bytes', () => {
    const option = bytes({ description: 'Most bytes per send.', default: 1024, min: 1 });

    it.each([
      ['64KiB', 64 * 1024],
      ['10MB', 10_000_000],
      ['1GiB', 1024 ** 3],
      ['1TB', 1e12],
      ['512', 512],
      [2048, 2048],
    ])('parses %p as %p bytes', (input, size) => {
      expect(parse(option, input)).toEqual({ value: size, issues: [] });
    });

    it('reports a malformed size with an example of a good one', () => {
      expect(parse(option, 'lots').issues[0].message).toBe(
        'expected a size such as "64KiB" or "10MB" (units: B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000)), got "lots"',
      );
    });

    // Regression (issue 7): "64m" was read as 64 MiB although `m` is minutes in a duration.
    it('reports a single-letter unit as ambiguous and names both readings', () => {
      expect(parse(option, '64m')).toEqual({ value: undefined, issues: [{ path: [], message: 'ambiguous size unit "m": write MiB (2^20 bytes) or MB (10^6 bytes)' }] });
    });

    it('reports a size below its minimum', () => {
      expect(parse(option, 0).issues[0].message).toBe('must be at least 1, got 0');
    });

    it('reports a fractional byte count', () => {
      expect(parse(option, 1.5).issues[0].message).toBe('expected an integer, got 1.5');
    });
  });

  describe('json', () => {
    it('accepts any JSON value', () => {
      expect(parse(json({ description: 'Static fields.' }), { env: 'prod', tags: [1, true, null] }).value).toEqual({
        env: 'prod',
        tags: [1, true, null],
      });
    });
  });

  describe('list', () => {
    const option = list(integer({ description: 'A port.', min: 1, max: 65_535 }), { description: 'Ports.', minItems: 1 });

    it('parses every item', () => {
      expect(parse(option, [80, 443])).toEqual({ value: [80, 443], issues: [] });
    });

    it('reports a bad item at its index', () => {
      expect(parse(option, [80, 0, 'x']).issues).toEqual([
        { path: [1], message: 'must be at least 1, got 0' },
        { path: [2], message: 'expected a number, got string' },
      ]);
    });

    it('reports too few items', () => {
      expect(parse(option, []).issues[0].message).toBe('needs at least 1 item(s)');
    });

    it('reports a value that is not a list', () => {
      expect(parse(option, 80).issues[0].message).toBe('expected a list, got number');
    });

    it('reports a missing required list and applies a default one', () => {
      expect(parse(option, undefined).issues[0].message).toBe('missing required option (list): Ports.');
      expect(parse(list(string({ description: 'A name.' }), { description: 'Names.', default: [] }), undefined)).toEqual({ value: [], issues: [] });
    });

    it('documents its item type', () => {
      expect(option.doc.type).toBe('integer[]');
    });
  });

  describe('record', () => {
    const option = record(string({ description: 'A value.' }), { description: 'Fields to set.', default: {} });

    it('parses every entry', () => {
      expect(parse(option, { env: 'prod', team: 'core' })).toEqual({ value: { env: 'prod', team: 'core' }, issues: [] });
    });

    it('keeps a `__proto__` key as an entry instead of replacing the prototype', () => {
      const value = parse(option, JSON.parse('{"__proto__": "x", "env": "prod"}')).value ?? {};
      expect(Object.keys(value)).toEqual(['__proto__', 'env']);
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    });

    it('reports a bad entry at its key', () => {
      expect(parse(option, { env: 'prod', port: 80 }).issues).toEqual([{ path: ['port'], message: 'expected a string, got number' }]);
    });

    it('reports a list or a scalar where a map is expected', () => {
      expect(parse(option, ['env']).issues[0].message).toBe('expected a map, got array');
      expect(parse(option, 'env').issues[0].message).toBe('expected a map, got string');
    });

    it('applies its default when absent and reports a missing required map', () => {
      expect(parse(option, undefined).value).toEqual({});
      expect(parse(record(json({ description: 'x' }), { description: 'Labels.' }), undefined).issues[0].message).toBe(
        'missing required option (map): Labels.',
      );
    });

    it('documents its value type', () => {
      expect(option.doc.type).toBe('map<string, string>');
    });
  });

  describe('optional', () => {
    const option = optional(integer({ description: 'Partition.', min: 0 }));

    it('yields undefined without an issue when absent', () => {
      expect(parse(option, undefined)).toEqual({ value: undefined, issues: [] });
      expect(parse(option, null)).toEqual({ value: undefined, issues: [] });
    });

    it('still validates a value that is given', () => {
      expect(parse(option, 3).value).toBe(3);
      expect(parse(option, -1).issues[0].message).toBe('must be at least 0, got -1');
    });

    it('documents the option as not required', () => {
      expect(option.doc.required).toBe(false);
    });
  });

  describe('object', () => {
    const sink = object(
      {
        topic: string({ description: 'Topic.' }),
        concurrency: integer({ description: 'Sends in flight.', default: 1, min: 1 }),
        batch: object(
          {
            max_events: integer({ description: 'Most events per send.', default: 500, min: 1 }),
            timeout: duration({ description: 'Partial batch timeout.', default: 1_000 }),
            max_bytes: bytes({ description: 'Most bytes per send.', default: 1_048_576 }),
          },
          { description: 'Batching.' },
        ),
        brokers: list(string({ description: 'A broker.' }), { description: 'Brokers.', minItems: 1 }),
        headers: record(string({ description: 'A header.' }), { description: 'Headers.', default: {} }),
        key: optional(string({ description: 'Key field.' })),
      },
      { description: 'A Kafka sink.', reserved: ['type', 'inputs'] },
    );

    it('applies defaults throughout, nested blocks included', () => {
      expect(parse(sink, { topic: 'logs', brokers: ['k:9092'] })).toEqual({
        value: {
          topic: 'logs',
          concurrency: 1,
          batch: { max_events: 500, timeout: 1_000, max_bytes: 1_048_576 },
          brokers: ['k:9092'],
          headers: {},
          key: undefined,
        },
        issues: [],
      });
    });

    it('parses units inside nested blocks', () => {
      const { value, issues } = parse(sink, { topic: 'logs', brokers: ['k:9092'], batch: { timeout: '250ms', max_bytes: '64KiB' } });
      expect(issues).toEqual([]);
      expect(value?.batch).toEqual({ max_events: 500, timeout: 250, max_bytes: 65_536 });
    });

    it('collects every issue of one pass, each at its full path', () => {
      const { issues } = parse(sink, { concurrency: 0, batch: { max_events: 'many', timeout: 'later' }, brokers: [7], headers: { a: 1 } });
      expect(messages(issues)).toEqual({
        topic: 'missing required option (string): Topic.',
        concurrency: 'must be at least 1, got 0',
        'batch.max_events': 'expected a number, got string',
        'batch.timeout': 'expected a duration such as "500ms", "5s" or "2min" (units: ms, s, m or min, h, d), got "later"',
        'brokers.0': 'expected a string, got number',
        'headers.a': 'expected a string, got number',
      });
    });

    it('prefixes issue paths with where the block sits', () => {
      const issues = new IssueCollector();
      sink.parse({ topic: 'logs', brokers: [], batch: { max_events: 0 } }, ['sinks', 'out'], issues);
      expect(issues.issues.map((issue) => issue.path)).toEqual([
        ['sinks', 'out', 'batch', 'max_events'],
        ['sinks', 'out', 'brokers'],
      ]);
    });

    it('reports an unknown option with the closest known name', () => {
      const { issues } = parse(sink, { topic: 'logs', brokers: ['k'], concurency: 2, batch: { max_event: 10 } });
      expect(messages(issues)).toEqual({
        concurency: 'unknown option "concurency" (did you mean "concurrency"?); known options: topic, concurrency, batch, brokers, headers, key, type, inputs',
        'batch.max_event': 'unknown option "max_event" (did you mean "max_events"?); known options: max_events, timeout, max_bytes',
      });
    });

    it('reports an unknown option without a suggestion when no name is close', () => {
      const { issues } = parse(sink, { topic: 'logs', brokers: ['k'], compression: 'gzip' });
      expect(issues[0].message).toBe('unknown option "compression"; known options: topic, concurrency, batch, brokers, headers, key, type, inputs');
    });

    // Regression (issue 7): `key in shape` found Object.prototype members, so these passed as known.
    it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'])(
      'reports %p as an unknown option like any other name',
      (name) => {
        const input = JSON.parse(`{"topic": "logs", "brokers": ["k"], "${name}": 1}`) as unknown;
        expect(parse(sink, input).issues).toEqual([
          { path: [name], message: `unknown option "${name}"; known options: topic, concurrency, batch, brokers, headers, key, type, inputs` },
        ]);
      },
    );

    it('reports an Object.prototype name inside a nested block as unknown', () => {
      expect(messages(parse(sink, { topic: 'logs', brokers: ['k'], batch: { constructor: 1 } }).issues)).toEqual({
        'batch.constructor': 'unknown option "constructor"; known options: max_events, timeout, max_bytes',
      });
    });

    // Regression (issue 14): reserved keys were neither suggested nor listed, so `sourcez:`
    // at the top level got no did-you-mean and a list without sources/transforms/sinks.
    it('suggests and lists reserved keys as known keys', () => {
      expect(messages(parse(sink, { typ: 'kafka', topic: 'logs', brokers: ['k'] }).issues)).toEqual({
        typ: 'unknown option "typ" (did you mean "type"?); known options: topic, concurrency, batch, brokers, headers, key, type, inputs',
      });
    });

    it('lets reserved keys through without an issue', () => {
      expect(parse(sink, { type: 'kafka', inputs: ['app'], topic: 'logs', brokers: ['k'] }).issues).toEqual([]);
    });

    it('reports a list or a scalar where a block is expected', () => {
      expect(parse(sink, ['topic']).issues).toEqual([{ path: [], message: 'expected a map of options, got a list' }]);
      expect(parse(sink, 'logs').issues).toEqual([{ path: [], message: 'expected a map of options, got string' }]);
    });

    it('documents every field of the block', () => {
      expect(sink.doc.type).toBe('object');
      expect(Object.keys(sink.doc.fields ?? {})).toEqual(['topic', 'concurrency', 'batch', 'brokers', 'headers', 'key']);
      expect(sink.doc.fields?.batch.fields?.timeout).toMatchObject({ type: 'duration', default: 1_000, required: false });
      expect(sink.doc.fields?.topic).toMatchObject({ type: 'string', description: 'Topic.', required: true });
    });
  });
});
