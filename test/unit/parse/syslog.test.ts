import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { from, lastValueFrom, toArray, VirtualTimeScheduler } from 'rxjs';
import { parseSyslogField, type ParseSyslogOptions } from '../../../operators/parse/syslog';
import { createBatch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { eventsOf } from '../../helpers/batches';

const fixture = (name: string): string[] => readFileSync(join(__dirname, '../../fixtures/syslog', name), 'utf8').split('\n').slice(0, -1);

/** "Now" is 2026-12-01: year-less timestamps of Nov 30 resolve to 2026. */
function clockAt(iso: string): VirtualTimeScheduler {
  const scheduler = new VirtualTimeScheduler();
  scheduler.now = () => Date.parse(iso);
  return scheduler;
}

async function run(options: ParseSyslogOptions, events: LogEvent[], reasons: string[] = []): Promise<LogEvent[]> {
  const operator = parseSyslogField({ scheduler: clockAt('2026-12-01T00:00:00Z'), ...options }, { onParseError: (_event, reason) => reasons.push(reason) });
  const out = await lastValueFrom(from([createBatch(events)]).pipe(operator, toArray()));
  return out.flatMap((batch) => batch.events);
}

describe('parseSyslogField', () => {
  it('parses syslog lines forwarded inside JSON (RFC 5424, BSD, Cisco) with the syslog input\'s parsers', async () => {
    const events = fixture('forwarded.ndjson').map((line) => JSON.parse(line) as LogEvent);
    const reasons: string[] = [];
    const out = await run({ field: 'log' }, events, reasons);
    expect(out[0]).toEqual({
      host: 'relay-1',
      timestamp: '2026-11-30T14:30:15.003Z',
      facility: 'auth',
      facility_code: 4,
      severity: 'crit',
      severity_code: 2,
      version: 1,
      hostname: 'web-3',
      appname: 'sshd',
      procid: '2231',
      msgid: 'AUTH',
      structured_data: { origin: { ip: '10.1.2.3' } },
      message: 'Failed password for root from 203.0.113.9 port 52211 ssh2',
    });
    expect(out[1]).toMatchObject({ host: 'relay-1', timestamp: '2026-11-30T14:30:16.000Z', facility: 'user', severity: 'notice', hostname: 'web-3', appname: 'cron', procid: '812', message: '(root) CMD (run-parts /etc/cron.hourly)' });
    expect(out[1].log).toBeUndefined();
    expect(out[2]).toMatchObject({ sequence: 123, facility: 'local7', severity: 'info', timestamp: '2026-11-30T14:30:17.123Z', appname: '%LINK-3-UPDOWN', message: 'Interface GigabitEthernet0/1, changed state to down' });
    expect(out[3]).toEqual({ host: 'relay-1', log: 'not a syslog line', tags: ['syslog_parse_error'] });
    expect(reasons).toEqual(['missing or invalid <PRI>']);
  });

  it('reads /var/log/syslog lines, which carry no <PRI>, with a default priority', async () => {
    const out = await run({ defaultPriority: 13, timeZone: 'UTC' }, eventsOf(...fixture('var-log-syslog.log')));
    expect(out[0]).toMatchObject({ timestamp: '2026-11-30T14:31:01.000Z', hostname: 'build-2', appname: 'systemd', procid: '1', message: 'Started Daily apt download activities.', facility: 'user', severity: 'notice' });
    expect(out[1]).toMatchObject({ hostname: 'build-2', appname: 'kernel', message: '[ 8812.001] eth0: link up' });
    const strict = await run({}, eventsOf(...fixture('var-log-syslog.log')));
    expect(strict.map((event) => event.tags)).toEqual([['syslog_parse_error'], ['syslog_parse_error']]);
  });

  it('puts the parsed fields under a target when asked', async () => {
    const [event] = await run({ target: 'syslog' }, eventsOf('<14>1 2026-11-30T00:00:00Z h app - - - hi'));
    expect(event).toMatchObject({ syslog: { hostname: 'h', appname: 'app', message: 'hi', severity: 'info', facility: 'user' } });
    expect(event.message).toBeUndefined();
  });

  it('never throws on arbitrary input (property)', async () => {
    const syslogish = fc.tuple(fc.constantFrom('<34>1 ', '<13>', '<999>', '<1>1 - - - - - ', ''), fc.string({ maxLength: 40 })).map(([head, rest]) => head + rest);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(syslogish, fc.string()), { maxLength: 10 }), fc.boolean(), async (lines, lenient) => {
        const out = await run({ defaultPriority: lenient ? 13 : undefined }, eventsOf(...lines));
        expect(out).toHaveLength(lines.length);
      }),
      { numRuns: 500 },
    );
  });
});
