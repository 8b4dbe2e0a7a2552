import fc from 'fast-check';
import { parseSyslog, type Rfc3164Clock } from '../../../../src/sources/syslog/parse';
import { readPriority } from '../../../../src/sources/syslog/priority';

const utc: Rfc3164Clock = { timeZone: 'UTC', nowMs: Date.parse('2024-06-15T00:00:00Z') };
const parse = (text: string, clock: Rfc3164Clock = utc): ReturnType<typeof parseSyslog> => parseSyslog(text, 'auto', clock);

describe('RFC 5424', () => {
  it('parses every header field of the RFC example, dropping the BOM', () => {
    expect(parse("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8").event).toEqual({
      timestamp: '2003-10-11T22:14:15.003Z',
      facility: 'auth', facility_code: 4, severity: 'crit', severity_code: 2,
      version: 1, hostname: 'mymachine.example.com', appname: 'su', msgid: 'ID47',
      message: "'su root' failed for lonvick on /dev/pts/8",
    });
  });

  it('converts an offset with microseconds to UTC and keeps a procid', () => {
    expect(parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.").event).toEqual({
      timestamp: '2003-08-24T12:14:15.000Z',
      facility: 'local4', facility_code: 20, severity: 'notice', severity_code: 5,
      version: 1, hostname: '192.0.2.1', appname: 'myproc', procid: '8710',
      message: "%% It's time to make the do-nuts.",
    });
  });

  it('nests structured data, several elements, with no message', () => {
    const { event } = parse('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]');
    expect(event?.structured_data).toEqual({ 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' }, 'examplePriority@32473': { class: 'high' } });
    expect(event?.message).toBe('');
  });

  it('unescapes \\" \\\\ and \\] in values and keeps any other backslash', () => {
    const { event } = parse('<13>1 - - - - - [a@1 v="q\\"uo\\\\te\\]x" w="C:\\dir" e=""] msg');
    expect(event?.structured_data).toEqual({ 'a@1': { v: 'q"uo\\te]x', w: 'C:\\dir', e: '' } });
    expect(event?.message).toBe('msg');
    expect(event?.timestamp).toBeUndefined();
  });

  it('keeps every value of a repeated parameter and stores keys like __proto__ as data', () => {
    const { event } = parse('<13>1 - h a - - [__proto__ x="1" x="2" x="3"] m');
    const data = event?.structured_data as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toEqual({ x: ['1', '2', '3'] });
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });

  it("parses util-linux logger's output (timeQuality element)", () => {
    const { event } = parse('<13>1 2024-05-01T10:00:00.123456+02:00 host1 alice - - [timeQuality tzKnown="1" isSynced="1" syncAccuracy="496500"] hello world\n');
    expect(event).toMatchObject({ timestamp: '2024-05-01T08:00:00.123Z', hostname: 'host1', appname: 'alice', message: 'hello world', structured_data: { timeQuality: { tzKnown: '1', isSynced: '1', syncAccuracy: '496500' } } });
  });

  it.each([
    ['<13>1 2003-10-11T22:14:15Z host app', 'header ends early'],
    ['<13>1 2003-13-11T22:14:15Z host app - - - m', 'bad timestamp'],
    ['<13>1 2003-10-11T22:14:15 host app - - - m', 'bad timestamp'],
    ['<13>1 - host app - - [id a="unterminated] m', 'unterminated value'],
    ['<13>1 - host app - - [id a=1] m', 'bad parameter'],
    ['<13>1 - host app - - x m', 'expected - or ['],
    ['<13>1 - host app - - [id]m', 'expected a space'],
  ])('reports %j as malformed (%s)', (text, reason) => {
    expect(parse(text).error).toContain(reason);
  });
});

describe('RFC 3164', () => {
  it('parses the RFC example, resolving the missing year', () => {
    expect(parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8").event).toEqual({
      timestamp: '2023-10-11T22:14:15.000Z',
      facility: 'auth', facility_code: 4, severity: 'crit', severity_code: 2,
      hostname: 'mymachine', appname: 'su', message: "'su root' failed for lonvick on /dev/pts/8",
    });
  });

  it('reads TAG[PID] and a space-padded day', () => {
    expect(parse('<38>Jun  3 07:01:02 web-1 sshd[4123]: Accepted publickey for deploy').event).toMatchObject({ timestamp: '2024-06-03T07:01:02.000Z', hostname: 'web-1', appname: 'sshd', procid: '4123', message: 'Accepted publickey for deploy' });
  });

  it('accepts a line without a hostname', () => {
    const { event } = parse('<30>Jun 14 12:00:00 postfix/smtpd[77]: connect from unknown');
    expect(event).toMatchObject({ appname: 'postfix/smtpd', procid: '77', message: 'connect from unknown' });
    expect(event?.hostname).toBeUndefined();
  });

  it('keeps a line without a tag as the message', () => {
    expect(parse('<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!').event).toMatchObject({ hostname: '10.0.0.99', message: 'Use the BFG!' });
  });

  it('resolves the year in the configured zone, never more than a day ahead', () => {
    const berlin: Rfc3164Clock = { timeZone: 'Europe/Berlin', nowMs: Date.parse('2024-06-15T00:00:00Z') };
    expect(parse('<13>Jun 14 12:00:00 h a: m', berlin).event?.timestamp).toBe('2024-06-14T10:00:00.000Z');
    expect(parse('<13>Jan 14 12:00:00 h a: m', berlin).event?.timestamp).toBe('2024-01-14T11:00:00.000Z');
    // Within a day ahead: this year (a sender's clock a little fast).
    expect(parse('<13>Jun 15 20:00:00 h a: m').event?.timestamp).toBe('2024-06-15T20:00:00.000Z');
    // More than a day ahead: last year.
    expect(parse('<13>Jun 17 00:00:00 h a: m').event?.timestamp).toBe('2023-06-17T00:00:00.000Z');
    const newYear: Rfc3164Clock = { timeZone: 'UTC', nowMs: Date.parse('2024-01-01T00:05:00Z') };
    expect(parse('<13>Dec 31 23:59:59 h a: m', newYear).event?.timestamp).toBe('2023-12-31T23:59:59.000Z');
  });

  it('reads an ISO timestamp in a BSD line, with or without an offset', () => {
    expect(parse('<30>2024-06-01T12:00:00.123456+02:00 host app[1]: x').event).toMatchObject({ timestamp: '2024-06-01T10:00:00.123Z', hostname: 'host', appname: 'app', procid: '1', message: 'x' });
    const tokyo: Rfc3164Clock = { timeZone: 'Asia/Tokyo', nowMs: utc.nowMs };
    expect(parse('<30>2024-06-01T12:00:00 host app: x', tokyo).event?.timestamp).toBe('2024-06-01T03:00:00.000Z');
  });

  it('reads Cisco sequence numbers, clock marks, years and the colon after the timestamp', () => {
    expect(parse('<189>123: *Mar  1 00:01:02.345: %SYS-5-CONFIG_I: Configured from console by vty0 (10.0.0.1)').event).toMatchObject({
      sequence: 123, timestamp: '2024-03-01T00:01:02.345Z', facility: 'local7', severity: 'notice', appname: '%SYS-5-CONFIG_I', message: 'Configured from console by vty0 (10.0.0.1)',
    });
    expect(parse('<187>42: Jun 10 2019 12:00:00 UTC: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up').event).toMatchObject({ sequence: 42, timestamp: '2019-06-10T12:00:00.000Z', severity: 'err', appname: '%LINK-3-UPDOWN' });
  });

  it('keeps text without a timestamp after the PRI as message', () => {
    expect(parse('<13>just some text').event).toEqual({ facility: 'user', facility_code: 1, severity: 'notice', severity_code: 5, message: 'just some text' });
  });

  it.each(['no pri', '<192>Jun 14 12:00:00 h a: m', '<013>x', '<>x', '<1234>x', ''])('reports %j as malformed', (text) => {
    expect(parse(text).error).toBe('missing or invalid <PRI>');
  });
});

describe('parseSyslog on arbitrary input', () => {
  const clocks = fc.record({ timeZone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'), nowMs: fc.integer({ min: 0, max: 4_102_444_800_000 }) });
  const syslogish = fc.array(fc.constantFrom('<', '>', '1', '3', '4', ' ', '-', '[', ']', '"', '\\', '=', ':', 'T', 'Z', 'Jun', '2024-06-01T12:00:00', '12:00:00', '\uFEFF', 'a', '\n'), { maxLength: 40 }).map((parts) => parts.join(''));

  it('never throws, and always gives an event or an error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('utf8')), syslogish.map((text) => `<13>${text}`), syslogish.map((text) => `<165>1 ${text}`)), fc.constantFrom('auto', 'rfc5424', 'rfc3164') as fc.Arbitrary<'auto' | 'rfc5424' | 'rfc3164'>, clocks, (text, format, clock) => {
        const result = parseSyslog(text, format, clock);
        expect(result.event !== undefined || typeof result.error === 'string').toBe(true);
        if (result.event?.timestamp !== undefined) expect(Number.isNaN(Date.parse(result.event.timestamp))).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads PRI only as <0> to <191>', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 999 }), (pri) => expect(readPriority(`<${pri}>x`)?.pri).toBe(pri <= 191 ? pri : undefined)));
  });
});

describe('year-less timestamps across daylight saving', () => {
  const berlin = (nowIso: string): Rfc3164Clock => ({ timeZone: 'Europe/Berlin', nowMs: Date.parse(nowIso) });

  it('uses the offset in force at that wall time, on both sides of a change', () => {
    const clock = berlin('2024-11-01T00:00:00Z');
    expect(parse('<13>Mar 31 01:59:59 h a: m', clock).event?.timestamp).toBe('2024-03-31T00:59:59.000Z'); // CET
    expect(parse('<13>Mar 31 03:00:00 h a: m', clock).event?.timestamp).toBe('2024-03-31T01:00:00.000Z'); // CEST
    expect(parse('<13>Oct 27 04:00:00 h a: m', clock).event?.timestamp).toBe('2024-10-27T03:00:00.000Z'); // CET again
  });

  it('reads a date that does not exist as no timestamp, keeping the text', () => {
    const { event } = parse('<13>Feb 30 12:00:00 h a: m');
    expect(event?.timestamp).toBeUndefined();
    expect(event?.message).toBe('Feb 30 12:00:00 h a: m');
  });

  it('gives Feb 29 of a leap year, and reads leap second :60 as :59', () => {
    expect(parse('<13>1 2024-02-29T23:59:60Z h a - - - m').event?.timestamp).toBe('2024-02-29T23:59:59.000Z');
    expect(parse('<13>1 2023-02-29T00:00:00Z h a - - - m').error).toContain('bad timestamp');
  });
});
