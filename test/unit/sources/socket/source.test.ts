import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { socketSource } from '../../../../src/sources/socket/source';
import { configIssues, metricValue, parseConfig } from '../../../helpers/context';
import { openTcp, sendUdp, startNetworkSource, until, type RunningSource } from './harness';

const errors = (source: RunningSource, type: string): Promise<number> => metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: type });
const messages = (source: RunningSource): unknown[] => source.events().map((event) => event.message);

describe('socket source', () => {
  let source: RunningSource;
  afterEach(async () => source?.close());

  it('frames TCP lines across writes, strips CRLF, and sets the connection meta', async () => {
    source = await startNetworkSource(socketSource, {});
    source.autoAck();
    const client = await openTcp(source.port);
    client.write('one\r\ntw');
    client.write('o\nthree\n');
    await until(() => source.events().length === 3);
    expect(messages(source)).toEqual(['one', 'two', 'three']);
    expect(source.batches[0].meta).toMatchObject({ source: 'in', input: 'tcp', connection: '1', peer: `127.0.0.1:${client.localPort}` });
    expect(typeof source.events()[0].timestamp).toBe('string');
    client.end();
  });

  it('emits the unterminated last line when the client closes', async () => {
    source = await startNetworkSource(socketSource, {});
    const client = await openTcp(source.port);
    client.end('a\nlast without newline');
    await until(() => source.events().length === 2);
    expect(messages(source)).toEqual(['a', 'last without newline']);
  });

  it('reads octet-counted frames, which may hold newlines', async () => {
    source = await startNetworkSource(socketSource, { framing: 'octet_counting' });
    const client = await openTcp(source.port);
    client.end('5 a\nb c3 xyz');
    await until(() => source.events().length === 2);
    expect(messages(source)).toEqual(['a\nb c', 'xyz']);
  });

  it('decodes JSON lines, keeping a bad line tagged and counted', async () => {
    source = await startNetworkSource(socketSource, { decoding: 'json' });
    const client = await openTcp(source.port);
    client.end('{"level":"info","n":1}\nnot json\n');
    await until(() => source.events().length === 2);
    const [good, bad] = source.events();
    expect(good).toMatchObject({ level: 'info', n: 1 });
    expect(good.message).toBeUndefined();
    expect(bad).toMatchObject({ message: 'not json', tags: ['json_parse_error'] });
    expect(await errors(source, 'json_parse_error')).toBe(1);
  });

  it('frames each UDP datagram on its own; when credit is exhausted it drops and counts', async () => {
    source = await startNetworkSource(socketSource, { mode: 'udp' }, { maxEvents: 2 });
    await sendUdp(source.port, ['a\nb\npartial', 'c']);
    await until(() => source.events().length === 3);
    expect(messages(source)).toEqual(['a', 'b', 'partial']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(messages(source)).toEqual(['a', 'b', 'partial']);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'no_credit' })).toBe(1);
    expect(source.batches[0].meta).toMatchObject({ input: 'udp' });
    source.autoAck();
    await sendUdp(source.port, ['d']);
    await until(() => source.events().length === 4);
  });

  it('listens on a Unix socket, replacing a stale socket file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-sock-')), 'in.sock');
    const first = await startNetworkSource(socketSource, { mode: 'unix', path });
    first.ctx.stop();
    await until(() => first.completed());
    source = await startNetworkSource(socketSource, { mode: 'unix', path });
    const client = await openTcp(path);
    client.end('over unix\n');
    await until(() => source.events().length === 1);
    expect(messages(source)).toEqual(['over unix']);
    expect(source.batches[0].meta).toMatchObject({ input: 'unix' });
  });

  it('stops reading a connection while credit is exhausted, and loses nothing', async () => {
    source = await startNetworkSource(socketSource, {}, { maxEvents: 100 });
    const client = await openTcp(source.port);
    const total = 20_000;
    const lines = Array.from({ length: total }, (_, i) => `line ${i}\n`).join('');
    client.end(lines);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Credit bounds what was read: at most one chunk past the bound is in flight.
    expect(source.events().length).toBeLessThan(total);
    source.autoAck();
    await until(() => source.events().length === total, 'all lines');
    expect(messages(source)).toEqual(Array.from({ length: total }, (_, i) => `line ${i}`));
  });

  it('closes an idle connection, keeping what it sent', async () => {
    source = await startNetworkSource(socketSource, { idle_timeout: 100 });
    const client = await openTcp(source.port);
    const closed = new Promise((resolve) => client.once('close', resolve));
    client.write('held line');
    await closed;
    await until(() => source.events().length === 1);
    expect(messages(source)).toEqual(['held line']);
    expect(await errors(source, 'idle_timeout')).toBe(1);
  });

  it('refuses connections past max_connections and counts them', async () => {
    source = await startNetworkSource(socketSource, { max_connections: 1 });
    const first = await openTcp(source.port);
    first.write('kept\n');
    await until(() => source.events().length === 1);
    const second = await openTcp(source.port);
    await new Promise((resolve) => second.once('close', resolve));
    expect(await errors(source, 'too_many_connections')).toBe(1);
    first.end();
  });

  it('throttles a client over its rate instead of dropping its lines', async () => {
    source = await startNetworkSource(socketSource, { rate_limit: { events_per_second: 20, burst: 5 } });
    source.autoAck();
    const client = await openTcp(source.port);
    const started = Date.now();
    for (let i = 0; i < 4; i++) {
      client.write(`${i}a\n${i}b\n${i}c\n`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    client.end();
    await until(() => source.events().length === 12);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(await errors(source, 'rate_limited')).toBeGreaterThan(0);
  });

  it('completes on stop once its connections have emitted what they hold', async () => {
    source = await startNetworkSource(socketSource, {});
    const client = await openTcp(source.port);
    client.write('partial');
    await new Promise((resolve) => setTimeout(resolve, 30));
    source.ctx.stop();
    await until(() => source.completed());
    expect(messages(source)).toEqual(['partial']);
  });

  it('ends a reset connection alone, counted, and keeps serving others', async () => {
    source = await startNetworkSource(socketSource, {});
    const reset = await openTcp(source.port);
    reset.write('before reset\n');
    await until(() => source.events().length === 1);
    reset.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const other = await openTcp(source.port);
    other.end('still served\n');
    await until(() => source.events().length === 2);
    expect(messages(source)).toEqual(['before reset', 'still served']);
    expect(await errors(source, 'connection_failed')).toBe(1);
    expect(source.completed()).toBe(false);
  });

  it('serves TLS in tcp mode when a tls block is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sock-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1'], { cwd: dir, stdio: 'ignore' });
    source = await startNetworkSource(socketSource, { tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } });
    const client = tlsConnect({ host: '127.0.0.1', port: source.port, ca: readFileSync(join(dir, 'cert.pem')) }, () => client.end('secret one\nsecret two\n'));
    await until(() => source.events().length === 2);
    expect(messages(source)).toEqual(['secret one', 'secret two']);
    expect(source.batches[0].meta).toMatchObject({ input: 'tls' });
  });

  it('checks its config', () => {
    const issues = (input: Record<string, unknown>): string[] => (socketSource.check?.(parseConfig(socketSource, input)) ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues({ mode: 'unix' })).toEqual(['path: mode unix needs a socket path']);
    expect(issues({ address: 'nope' })[0]).toMatch(/^address: expected host:port/);
    expect(issues({ mode: 'udp', tls: { cert: 'c', key: 'k' } })).toEqual(['tls: tls needs mode tcp']);
    expect(configIssues(socketSource, { mode: 'sctp' })).toHaveLength(1);
  });
});
