import { syslogSource } from '../../../../src/sources/syslog/source';
import { metricValue, parseConfig } from '../../../helpers/context';
import { openTcp, sendUdp, startNetworkSource, until, type RunningSource } from '../socket/harness';

const RFC5424 = '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"] An application event';
const RFC3164 = '<34>Oct 11 22:14:15 mymachine su[42]: su root failed';
const octets = (message: string): string => `${Buffer.byteLength(message)} ${message}`;

describe('syslog source', () => {
  let source: RunningSource;
  afterEach(async () => source?.close());

  it('detects octet counting on one TCP connection and LF framing on another, parsing each message', async () => {
    source = await startNetworkSource(syslogSource, { mode: 'tcp', timezone: 'UTC' });
    const counted = await openTcp(source.port);
    const countedPort = counted.localPort;
    counted.end(octets(`${RFC5424}\nsecond line`) + octets(RFC3164));
    const lines = await openTcp(source.port);
    const linesPort = lines.localPort;
    lines.end(`${RFC3164}\n${RFC5424}\n`);
    await until(() => source.events().length === 4);
    const byConnection = (port: number | undefined): unknown[] => source.events().filter((event) => event.client === `127.0.0.1:${port}`).map((event) => event.message);
    expect(byConnection(countedPort)).toEqual(['An application event\nsecond line', 'su root failed']);
    expect(byConnection(linesPort)).toEqual(['su root failed', 'An application event']);
    expect(source.events().find((event) => event.appname === 'evntslog')).toEqual({
      timestamp: '2003-10-11T22:14:15.003Z', facility: 'local4', facility_code: 20, severity: 'notice', severity_code: 5, version: 1,
      hostname: 'mymachine.example.com', appname: 'evntslog', msgid: 'ID47', structured_data: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application' } },
      message: 'An application event\nsecond line', client: `127.0.0.1:${countedPort}`,
    });
    expect(source.events().find((event) => event.appname === 'su')).toMatchObject({ hostname: 'mymachine', procid: '42', severity: 'crit', facility: 'auth' });
  });

  it('keeps a malformed message whole, tagged and counted, and reads on', async () => {
    source = await startNetworkSource(syslogSource, { mode: 'tcp' });
    const client = await openTcp(source.port);
    client.end(`no priority here\n<13>1 2024-99-01T00:00:00Z h a - - - bad date\n${RFC3164}\n`);
    await until(() => source.events().length === 3);
    const [first, second, third] = source.events();
    expect(first).toMatchObject({ message: 'no priority here', tags: ['syslog_parse_error'] });
    expect(second).toMatchObject({ message: '<13>1 2024-99-01T00:00:00Z h a - - - bad date', tags: ['syslog_parse_error'] });
    expect(typeof first.timestamp).toBe('string');
    expect(third).toMatchObject({ appname: 'su', message: 'su root failed' });
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'parse_error' })).toBe(2);
  });

  it('takes a UDP datagram as one message, stamps a message without a timestamp with its receive time, and names the client', async () => {
    source = await startNetworkSource(syslogSource, { mode: 'udp', client_field: 'source_ip' });
    const before = Date.now();
    await sendUdp(source.port, ['<13>1 - host app 99 - - two\nlines\n']);
    await until(() => source.events().length === 1);
    const [event] = source.events();
    expect(event).toMatchObject({ message: 'two\nlines', hostname: 'host', appname: 'app', procid: '99', severity: 'notice', facility: 'user' });
    expect(Date.parse(String(event.timestamp))).toBeGreaterThanOrEqual(before - 1000);
    expect(String(event.source_ip)).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('truncates a message over max_message_bytes and counts it', async () => {
    source = await startNetworkSource(syslogSource, { mode: 'udp', max_message_bytes: 64 });
    await sendUdp(source.port, [`<13>1 - h a - - - ${'x'.repeat(200)}`]);
    await until(() => source.events().length === 1);
    expect(source.events()[0].message).toBe('x'.repeat(64 - '<13>1 - h a - - - '.length));
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'frame_too_long' })).toBe(1);
  });

  it('drops and counts UDP datagrams over a client\'s rate', async () => {
    source = await startNetworkSource(syslogSource, { mode: 'udp', rate_limit: { events_per_second: 1, burst: 2 } });
    await sendUdp(source.port, [RFC3164, RFC3164, RFC3164, RFC3164]);
    await until(() => source.events().length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(source.events()).toHaveLength(2);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'rate_limited' })).toBe(2);
  });

  it('checks its config', () => {
    const issues = (input: Record<string, unknown>): string[] => (syslogSource.check?.(parseConfig(syslogSource, input)) ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues({ mode: 'tls' })).toEqual(['tls: mode tls needs a tls block (cert and key)']);
    expect(issues({ mode: 'tcp', tls: { cert: 'c', key: 'k' } })).toEqual(['tls: tls is only used with mode tls']);
    expect(issues({ timezone: 'Mars/Olympus' })).toEqual(['timezone: unknown time zone "Mars/Olympus"']);
    expect(issues({ timezone: 'Europe/Berlin', address: '0.0.0.0:514' })).toEqual([]);
  });
});
