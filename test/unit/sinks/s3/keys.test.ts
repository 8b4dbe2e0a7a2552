import { instanceTag, KeyPrefixRenderer, keyPrefixProblem, MAX_FIELD_VALUE_CHARS, ObjectNamer } from '../../../../src/sinks/s3/keys';

const never = (): string => {
  throw new Error('the fallback clock must not be read for an event with a timestamp');
};
const at = (iso: string) => (): string => iso;

describe('KeyPrefixRenderer', () => {
  it('renders strftime parts from the event timestamp in UTC', () => {
    const renderer = new KeyPrefixRenderer('logs/%Y/%m/%d/%H/%M/%S/', '_missing');
    expect(renderer.prefixFor({ timestamp: '2024-05-01T13:45:07.123Z' }, never)).toBe('logs/2024/05/01/13/45/07/');
    // an offset timestamp is converted to UTC
    expect(renderer.prefixFor({ timestamp: '2024-05-01T23:30:00+02:00' }, never)).toBe('logs/2024/05/01/21/30/00/');
  });

  it('renders %F as the date, the default prefix date=%F/', () => {
    expect(new KeyPrefixRenderer('date=%F/', '_missing').prefixFor({ timestamp: '2031-12-31T23:59:59Z' }, never)).toBe('date=2031-12-31/');
  });

  it('partitions by field and time: service={{ service }}/date=%Y-%m-%d/', () => {
    const renderer = new KeyPrefixRenderer('service={{ service }}/date=%Y-%m-%d/', '_missing');
    expect(renderer.prefixFor({ timestamp: '2024-05-01T10:00:00Z', service: 'api' }, never)).toBe('service=api/date=2024-05-01/');
    expect(renderer.prefixFor({ timestamp: '2024-05-01T11:00:00Z', service: 'web' }, never)).toBe('service=web/date=2024-05-01/');
    expect(renderer.prefixFor({ timestamp: '2024-05-02T00:00:00Z', service: 'api' }, never)).toBe('service=api/date=2024-05-02/');
  });

  it('reads dotted field paths and renders numbers and booleans', () => {
    const renderer = new KeyPrefixRenderer('{{http.status}}/{{ok}}/', '_missing');
    expect(renderer.prefixFor({ timestamp: '2024-05-01T10:00:00Z', http: { status: 503 }, ok: false }, never)).toBe('503/false/');
  });

  it('renders a missing, empty or non-scalar field as missing_field_value', () => {
    const renderer = new KeyPrefixRenderer('a={{ a }}/b={{ b }}/c={{ c }}/', 'none');
    expect(renderer.prefixFor({ timestamp: '2024-05-01T10:00:00Z', b: '', c: { nested: 1 } }, never)).toBe('a=none/b=none/c=none/');
    expect(renderer.prefixFor({ timestamp: '2024-05-01T10:00:00Z', a: null, b: [1], c: 'x' }, never)).toBe('a=none/b=none/c=x/');
  });

  it('replaces characters outside the safe set, so a value cannot add path segments or navigate', () => {
    const renderer = new KeyPrefixRenderer('s={{ s }}/', '_missing');
    expect(renderer.prefixFor({ s: 'a/b c=d' }, at('2024-05-01T00:00:00.000Z'))).toBe('s=a_b_c_d/');
    expect(renderer.prefixFor({ s: '..' }, at('2024-05-01T00:00:00.000Z'))).toBe('s=__/');
    expect(renderer.prefixFor({ s: 'ünïcode' }, at('2024-05-01T00:00:00.000Z'))).toBe('s=_n_code/');
    expect(renderer.prefixFor({ s: 'x'.repeat(1000) }, at('2024-05-01T00:00:00.000Z'))).toBe(`s=${'x'.repeat(MAX_FIELD_VALUE_CHARS)}/`);
  });

  it('uses the fallback clock for an event without a usable timestamp', () => {
    const renderer = new KeyPrefixRenderer('%F/%H/', '_missing');
    expect(renderer.prefixFor({ message: 'no time' }, at('2030-01-02T03:04:05.000Z'))).toBe('2030-01-02/03/');
    expect(renderer.prefixFor({ timestamp: 'yesterday' }, at('2030-01-02T03:04:05.000Z'))).toBe('2030-01-02/03/');
  });

  it('keeps literal text and %% as they are', () => {
    expect(new KeyPrefixRenderer('archive/100%%/', '_missing').prefixFor({ timestamp: '2024-05-01T00:00:00Z' }, never)).toBe('archive/100%/');
    expect(new KeyPrefixRenderer('', '_missing').prefixFor({ timestamp: '2024-05-01T00:00:00Z' }, never)).toBe('');
  });
});

describe('keyPrefixProblem', () => {
  it('accepts templates with time and field parts', () => {
    expect(keyPrefixProblem('service={{ service }}/date=%F/hour=%H/')).toBeUndefined();
  });

  it('refuses a leading slash, control characters and unclosed field parts', () => {
    expect(keyPrefixProblem('/logs/')).toMatch(/must not start with "\/"/);
    expect(keyPrefixProblem('logs\n/')).toMatch(/control characters/);
    expect(keyPrefixProblem('s={{ service /')).toMatch(/unclosed/);
    expect(keyPrefixProblem('s={{}}/')).toMatch(/unclosed or empty/);
  });

  it('throws on an unknown strftime directive or an invalid field path', () => {
    expect(() => keyPrefixProblem('%Q/')).toThrow(/unsupported directive %Q/);
    expect(() => keyPrefixProblem('{{ a..b }}/')).toThrow(/empty segment/);
  });
});

describe('ObjectNamer', () => {
  const now = Date.UTC(2024, 4, 1, 13, 45, 7, 999);

  it('names objects <prefix><UTC time>-<host>-<pid>-<random>-<sequence><extension>', () => {
    const namer = new ObjectNamer('.ndjson.gz', 'web-1-4242-0a1b2c3d');
    expect(namer.next('date=2024-05-01/', now)).toBe('date=2024-05-01/20240501T134507Z-web-1-4242-0a1b2c3d-000000.ndjson.gz');
    expect(namer.next('date=2024-05-01/', now)).toBe('date=2024-05-01/20240501T134507Z-web-1-4242-0a1b2c3d-000001.ndjson.gz');
  });

  it('never repeats a key within a process, even for the same prefix and second', () => {
    const namer = new ObjectNamer('.json');
    const keys = new Set<string>();
    for (let i = 0; i < 10_000; i++) keys.add(namer.next('p/', now));
    expect(keys.size).toBe(10_000);
  });

  it('gives two processes (or a restart with the same host and pid) different keys', () => {
    const first = new ObjectNamer('.json', instanceTag('host', 1));
    const second = new ObjectNamer('.json', instanceTag('host', 1));
    expect(first.next('p/', now)).not.toBe(second.next('p/', now));
  });

  it('makes the host name safe for a key', () => {
    expect(instanceTag('my host/with:odd', 7, 'ffffffff')).toBe('my_host_with_odd-7-ffffffff');
    expect(instanceTag('', 7, 'ffffffff')).toBe('host-7-ffffffff');
  });
});
