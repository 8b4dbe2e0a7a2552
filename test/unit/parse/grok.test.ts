import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, of, toArray } from 'rxjs';
import { loadPipeline } from '../../../src/cli/load';
import { createBatch } from '../../../src/core/batch';
import { ConfigError } from '../../../src/core/errors';
import type { LogEvent } from '../../../src/core/event';
import { BUILTIN_GROK, GrokLibrary, parsePatternsFile } from '../../../operators/parse/grok/compile';
import { GROK_PATTERNS } from '../../../operators/parse/grok/patterns';
import { grokTransform } from '../../../src/transforms/grok';
import { metricValue, parseConfig, testContext } from '../../helpers/context';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'access-logs');
const lines = (file: string): string[] => readFileSync(join(FIXTURES, file), 'utf8').split('\n').filter((line) => line !== '');

async function grok(config: Record<string, unknown>, messages: string[], ctx = testContext()): Promise<LogEvent[]> {
  const operator = grokTransform.create(parseConfig(grokTransform, config), ctx);
  const [out] = await lastValueFrom(of(createBatch(messages.map((message) => ({ message })))).pipe(operator, toArray()));
  return out.events;
}

describe('grok on real-world access and error logs', () => {
  it('parses Apache common log lines into exact fields, numbers converted, "-" bytes left out', async () => {
    const events = await grok({ match: ['^%{COMMONAPACHELOG}$'], drop_field: true }, lines('apache-common.log'));
    expect(events).toEqual([
      { clientip: '127.0.0.1', ident: '-', auth: 'frank', timestamp: '10/Oct/2000:13:55:36 -0700', verb: 'GET', request: '/apache_pb.gif', httpversion: '1.0', response: 200, bytes: 2326 },
      { clientip: '192.168.10.4', ident: '-', auth: '-', timestamp: '03/Dec/2026:01:02:03 +0000', verb: 'POST', request: '/api/v1/orders?id=42&dry_run=true', httpversion: '1.1', response: 201, bytes: 512 },
      { clientip: '2001:db8::7', ident: '-', auth: 'alice@example.com', timestamp: '29/Feb/2024:23:59:59 +0530', verb: 'DELETE', request: '/items/9', httpversion: '2.0', response: 204 },
      { clientip: 'web-01.internal', ident: '-', auth: '-', timestamp: '01/Jan/2026:00:00:00 -0000', rawrequest: '-', response: 400, bytes: 0 },
    ]);
  });

  it('parses Apache combined log lines with referrer and agent, quotes kept as grok does', async () => {
    const [robot, search] = await grok({ match: ['^%{COMBINEDAPACHELOG}$'] }, lines('apache-combined.log'));
    expect(robot).toMatchObject({ clientip: '66.249.66.1', verb: 'GET', request: '/robots.txt', response: 200, bytes: 67, referrer: '"-"' });
    expect(robot.agent).toBe('"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"');
    expect(search).toMatchObject({ auth: 'bob', request: '/search?q=%22quoted%22', response: 302, bytes: 0, referrer: '"https://example.com/start?a=1"', agent: '"curl/8.5.0"' });
    expect(robot.message).toBe(lines('apache-combined.log')[0]);
  });

  it('parses nginx access lines (combined format) and tries patterns in order', async () => {
    const events = await grok({ match: ['^%{COMMONAPACHELOG}$', '^%{NGINXACCESS}$'], drop_field: true }, lines('nginx-access.log'));
    expect(events[0]).toEqual({ clientip: '10.0.0.12', ident: '-', auth: '-', timestamp: '02/Dec/2026:22:14:01 +0000', verb: 'GET', request: '/healthz', httpversion: '1.1', response: 200, bytes: 2, referrer: '"-"', agent: '"kube-probe/1.30"' });
    expect(events[1]).toMatchObject({ clientip: '172.17.0.1', verb: 'POST', request: '/graphql', httpversion: '2.0', response: 499, bytes: 0, referrer: '"https://app.example.org/dashboard"' });
  });

  it('parses nginx error lines: level, pid, tid, connection and the message', async () => {
    const events = await grok({ match: ['^%{NGINXERROR}$'] }, lines('nginx-error.log'));
    expect(events[0]).toEqual({
      timestamp: '2026/12/02 22:15:42',
      loglevel: 'error',
      pid: 31,
      tid: 31,
      connection: 4711,
      message: 'open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 172.17.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080"',
    });
    expect(events[1]).toEqual({ timestamp: '2026/12/02 22:16:00', loglevel: 'warn', pid: 1, tid: 1, message: 'conflicting server name "example.org" on 0.0.0.0:80, ignored' });
  });

  it('parses Apache 2.4 error lines: module, level, pid/tid, client and error code', async () => {
    const events = await grok({ match: ['^%{HTTPD_ERRORLOG}$'] }, lines('apache-error.log'));
    expect(events[0]).toEqual({
      timestamp: 'Wed Dec 02 22:17:05.123456 2026',
      module: 'core',
      loglevel: 'error',
      pid: 1234,
      tid: 140234,
      clientip: '198.51.100.7',
      clientport: 52314,
      errorcode: 'AH00126',
      message: 'Invalid URI in request GET /../../etc/passwd HTTP/1.1',
    });
    expect(events[1]).toMatchObject({ module: 'mpm_event', loglevel: 'notice', pid: 1, errorcode: 'AH00489', message: 'Apache/2.4.62 (Unix) configured -- resuming normal operations' });
  });
});

describe('grok expressions', () => {
  it('captures into nested fields (dotted or [a][b]), converts :int and :float, and keeps text that is no number', async () => {
    const [event] = await grok({ match: ['%{WORD:[http][verb]} %{INT:http.status:int} %{NUMBER:took:float}s %{NOTSPACE:size:int}'] }, ['GET 404 0.25s n/a']);
    expect(event).toEqual({ message: 'GET 404 0.25s n/a', http: { verb: 'GET', status: 404 }, took: 0.25, size: 'n/a' });
  });

  it('puts the captures under target and drops the raw field when asked', async () => {
    const [event] = await grok({ match: ['%{LOGLEVEL:level}: %{GREEDYDATA:text}'], target: 'parsed', drop_field: true }, ['ERROR: disk full']);
    expect(event).toEqual({ parsed: { level: 'ERROR', text: 'disk full' } });
  });

  it('uses inline patterns and patterns from a file, inline ones winning, and (?<field>...) groups', async () => {
    const config = { match: ['^%{SERVICE_LINE} (?<outcome>ok|failed)$'], patterns_file: join(FIXTURES, 'custom.grok'), patterns: { REQUEST_ID: '[0-9a-f]{8}' } };
    const [event, miss] = await grok(config, ['checkout 0123abcd 12.5ms ok', 'checkout 0123456789abcdef 1ms ok']);
    expect(event).toMatchObject({ service: 'checkout', request_id: '0123abcd', duration_ms: 12.5, outcome: 'ok' });
    expect(miss.tags).toEqual(['grok_parse_error']);
  });

  it('merges every matching expression with mode: all', async () => {
    const [event] = await grok({ match: ['user=%{USERNAME:user}', 'ip=%{IP:ip}', 'nope=%{INT:n}'], mode: 'all' }, ['ip=10.1.2.3 user=kim']);
    expect(event).toMatchObject({ user: 'kim', ip: '10.1.2.3' });
    expect(event.tags).toBeUndefined();
  });

  it('drops unmatched events with on_failure: drop and counts them as discarded parse errors', async () => {
    const ctx = testContext();
    const events = await grok({ match: ['^%{IPV4:ip}$'], on_failure: 'drop' }, ['10.0.0.1', 'not an ip', '999.1.1.1'], ctx);
    expect(events).toEqual([{ message: '10.0.0.1', ip: '10.0.0.1' }]);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'parse' })).toBe(2);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_discarded_events_total')).toBe(2);
  });

  it('matches the library patterns on their own samples', () => {
    const samples: Record<string, string> = {
      UUID: '123e4567-e89b-12d3-a456-426614174000',
      MAC: '00:1A:2b:3c:4D:5e',
      IPV6: 'fe80::1ff:fe23:4567:890a',
      IPV4: '192.0.2.255',
      HOSTNAME: 'api.eu-west-1.example.com',
      URI: 'https://user@example.com:8443/a/b?c=d&e=f',
      EMAILADDRESS: 'ops+alerts@example.org',
      TIMESTAMP_ISO8601: '2026-12-03T02:17:47.123+01:00',
      RFC3339: '2026-12-03T02:17:47Z',
      SYSLOGTIMESTAMP: 'Dec  3 02:17:47',
      HTTPDATE: '03/Dec/2026:02:17:47 +0000',
      DATESTAMP_RFC2822: 'Thu, 03 Dec 2026 02:17:47 +0000',
      LOGLEVEL: 'WARNING',
      QUOTEDSTRING: '"say \\"hi\\""',
      JAVASTACKTRACEPART: '\tat com.example.Foo.bar(Foo.java:42)',
      JAVAEXCEPTION: 'java.lang.IllegalStateException: boom',
      KEYVALUE: 'user="kim lee"',
      SYSLOGLINE: 'Dec  3 02:17:47 web-1 sshd[4242]: Accepted publickey for kim',
      UNIXPATH: '/var/log/nginx/access.log',
      WINPATH: 'C:\\Windows\\System32',
    };
    for (const [name, sample] of Object.entries(samples)) expect([name, BUILTIN_GROK.compile(`^%{${name}}$`).regex.test(sample)]).toEqual([name, true]);
    expect(BUILTIN_GROK.compile('^%{IPV4}$').regex.test('256.1.1.1')).toBe(false);
  });

  it('has at least 60 patterns, every one compiling on its own', () => {
    expect(Object.keys(GROK_PATTERNS).length).toBeGreaterThanOrEqual(60);
    for (const name of BUILTIN_GROK.names()) expect(() => new GrokLibrary().compile(`%{${name}}`)).not.toThrow();
  });

  it('compiles an expression once and hands every stage the cached RegExp', () => {
    expect(BUILTIN_GROK.compile('%{COMMONAPACHELOG}')).toBe(BUILTIN_GROK.compile('%{COMMONAPACHELOG}'));
  });
});

describe('grok config errors', () => {
  const compileError = (expression: string, library = BUILTIN_GROK): string => {
    try {
      library.compile(expression);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error(`${expression} compiled`);
  };

  it('names an unknown pattern with its position in the expression', () => {
    expect(compileError('%{IP:client} %{NOPE:x}')).toBe('unknown grok pattern "NOPE" at position 14 of expression "%{IP:client} %{NOPE:x}"');
    expect(compileError('%{word}')).toContain('(did you mean WORD?)');
  });

  it('names the position of bad regex syntax in the expression and in a custom pattern', () => {
    expect(compileError('%{WORD:a} (b')).toBe('unterminated group "(" at position 11 of expression "%{WORD:a} (b"');
    expect(compileError('%{WORD:a} x{2,1}')).toBe('invalid regex at position 16 of expression "%{WORD:a} x{2,1}": numbers out of order in {} quantifier');
    expect(() => new GrokLibrary({ BAD: '[a-z]+)' })).toThrow('unmatched ")" at position 7 of pattern BAD "[a-z]+)"');
    expect(compileError('%{LOOP}', new GrokLibrary({ LOOP: 'a%{LOOP2}', LOOP2: '%{LOOP}' }))).toContain('refers to itself (LOOP → LOOP2 → LOOP)');
    expect(compileError('%{INT:n:long}')).toContain('unknown type "long"');
  });

  it('reports bad patterns through `sluice validate` with the file, line and option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'grok-validate-'));
    try {
      const file = join(dir, 'pipeline.yaml');
      writeFileSync(
        file,
        ['sources:', '  in:', '    type: stdin', 'transforms:', '  parsed:', '    type: grok', '    inputs: [in]', '    match:', '      - "%{IP:client} %{NOPE:x}"', 'sinks:', '  out:', '    type: blackhole', '    inputs: [parsed]', ''].join('\n'),
      );
      const result = loadPipeline(file, {});
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.errors).toEqual([expect.stringMatching(/pipeline\.yaml:9:\d+: .*match\.0.*unknown grok pattern "NOPE" at position 14/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a patterns file line by line and names a malformed line', () => {
    expect(parsePatternsFile('# c\n\nA [a-z]+\nB %{A}\\d\n')).toEqual({ A: '[a-z]+', B: '%{A}\\d' });
    expect(() => parsePatternsFile('A [a-z]+\nBROKEN\n', 'p.grok')).toThrow('p.grok:2: expected "NAME regex", got "BROKEN"');
  });
});
