import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { parseCsv } from '../../../../src/sources/http/csv';
import { decodeBody, formatOf } from '../../../../src/sources/http/formats';
import { contentCodingOf } from '../../../../src/sources/http/body';
import { parseAddress } from '../../../../src/sources/http/address';
import { DecodedTooLarge, ZstdFrameGuard, ZSTD_MAX_WINDOW } from '../../../../src/sources/http/zstd';

const items = (format: Parameters<typeof decodeBody>[0], text: string) => {
  const decoded = decodeBody(format, Buffer.from(text));
  if ('error' in decoded) throw new Error(decoded.error);
  return decoded.items;
};

describe('body formats', () => {
  it('maps content types (with parameters, any case) to formats, refusing other charsets', () => {
    expect(formatOf('application/json')).toBe('json');
    expect(formatOf('Application/JSON; charset=UTF-8')).toBe('json');
    expect(formatOf('application/x-ndjson')).toBe('ndjson');
    expect(formatOf('application/jsonl')).toBe('ndjson');
    expect(formatOf('text/csv;charset="utf-8"')).toBe('csv');
    expect(formatOf('text/plain')).toBe('text');
    for (const refused of [undefined, '', 'application/xml', 'text/csv; charset=latin1', 'application/x-www-form-urlencoded', 'constructor']) expect(formatOf(refused)).toBeUndefined();
  });

  it('maps content codings', () => {
    expect([undefined, 'identity', 'GZIP', 'x-gzip', 'deflate', 'zstd', 'br', 'gzip, br'].map(contentCodingOf)).toEqual(['identity', 'identity', 'gzip', 'gzip', 'deflate', 'zstd', undefined, undefined]);
  });

  it('reads JSON as one object, an array, or {"events": [...]}', () => {
    expect(items('json', '{"message":"a"}')).toEqual([{ value: { message: 'a' } }]);
    expect(items('json', '[{"a":1},2]')).toEqual([{ value: { a: 1 } }, { value: 2 }]);
    expect(items('json', '{"events":[{"a":1}]}')).toEqual([{ value: { a: 1 } }]);
    expect(items('json', '{"events":"not a list"}')).toEqual([{ value: { events: 'not a list' } }]);
    expect(decodeBody('json', Buffer.from('"text"'))).toEqual({ error: 'expected a JSON object, an array of objects or {"events": [...]}, got string' });
    expect(decodeBody('json', Buffer.from(''))).toHaveProperty('error');
  });

  it('reads NDJSON line by line with line numbers, blank lines and CRLF tolerated, one value per line', () => {
    expect(items('ndjson', '{"a":1}\r\n\r\n  \n{"b":2}')).toEqual([{ value: { a: 1 }, line: 1 }, { value: { b: 2 }, line: 4 }]);
    expect(items('ndjson', '{"a":1}\n1,2\n')).toEqual([{ value: { a: 1 }, line: 1 }, { error: expect.stringMatching(/^line 2 is not valid JSON/), line: 2 }]);
    expect(items('ndjson', '')).toEqual([]);
  });

  it('reads text as one message per line', () => {
    expect(items('text', 'one\r\n\ntwo')).toEqual([{ value: { message: 'one' }, line: 1 }, { value: { message: 'two' }, line: 3 }]);
  });
});

describe('CSV', () => {
  it('keys rows by the header, with quotes, escaped quotes, embedded newlines and a BOM', () => {
    const parsed = parseCsv('\ufeffmessage,level\r\n"a, ""b""",info\r\n"multi\nline",warn\n\nplain,\n');
    expect(parsed).toEqual({
      header: ['message', 'level'],
      rows: [
        { line: 2, record: { message: 'a, "b"', level: 'info' } },
        { line: 3, record: { message: 'multi\nline', level: 'warn' } },
        { line: 6, record: { message: 'plain', level: '' } },
      ],
    });
  });

  it('reports rows with the wrong field count and broken quotes per row, and a bad header for the body', () => {
    const parsed = parseCsv('a,b\n1,2,3\n"x"y,2\n3,4\n"open,5');
    if ('error' in parsed) throw new Error(parsed.error);
    expect(parsed.rows).toEqual([
      { line: 2, error: 'line 2: 3 fields where the header has 2' },
      { line: 3, error: 'unexpected text after a closing quote on line 3' },
      { line: 4, record: { a: '3', b: '4' } },
      { line: 5, error: 'unterminated quoted field starting on line 5' },
    ]);
    expect(parseCsv('')).toEqual({ error: 'a CSV body needs a header row' });
    expect(parseCsv('a,,b\n1,2,3')).toEqual({ error: 'the CSV header row has an empty column name' });
    expect(parseCsv('a,a\n1,2')).toEqual({ error: 'the CSV header row names column "a" twice' });
  });

  it('keeps a __proto__ column as a field', () => {
    const parsed = parseCsv('__proto__,message\n{"polluted":1},m\n');
    if ('error' in parsed) throw new Error(parsed.error);
    const row = parsed.rows[0] as { record: Record<string, string> };
    expect(Object.getPrototypeOf(row.record)).toBe(Object.prototype);
    expect(Object.keys(row.record)).toEqual(['__proto__', 'message']);
  });
});

describe('ZstdFrameGuard', () => {
  const zstd = (data: string | Buffer, ...args: string[]) => execFileSync('zstd', ['-q', '-c', ...args], { input: data });

  it('passes real zstd streams, whole or split in any chunk size, including concatenated frames', () => {
    const stream = Buffer.concat([zstd('{"message":"a"}\n'.repeat(1000)), zstd('second frame')]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const guard = new ZstdFrameGuard(1024 * 1024);
      for (let at = 0; at < stream.length; at += size) guard.check(stream.subarray(at, at + size));
      expect(guard.complete).toBe(true);
    }
  });

  it('refuses a frame whose declared content size is over the limit before any decompression', () => {
    const file = `/tmp/sluice-zstd-guard-${process.pid}`;
    writeFileSync(file, Buffer.alloc(2 * 1024 * 1024));
    const declared = execFileSync('zstd', ['-q', '-c', file]); // a file: its size is in the header
    rmSync(file);
    expect(() => new ZstdFrameGuard(1024 * 1024).check(declared.subarray(0, 16))).toThrow(DecodedTooLarge);
  });

  it('refuses a forged header claiming a 2 GiB window, and garbage', () => {
    // magic, descriptor (no single segment, no checksum), window descriptor 0xA8 = 2^31
    const forged = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa8]);
    expect(() => new ZstdFrameGuard(1024).check(forged)).toThrow(/window/);
    expect(ZSTD_MAX_WINDOW).toBe(8 * 1024 * 1024);
    expect(() => new ZstdFrameGuard(1024).check(Buffer.from('not zstd'))).toThrow(/bad magic/);
  });
});

describe('address', () => {
  it('parses host:port and bracketed IPv6', () => {
    expect(parseAddress('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseAddress(':9000')).toEqual({ host: '0.0.0.0', port: 9000 });
    for (const bad of ['8080', 'host:99999', 'host:', '::1:80']) expect(parseAddress(bad)).toHaveProperty('error');
  });
});
