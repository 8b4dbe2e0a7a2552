import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { promisify } from 'node:util';
import { assertBuilt, eventually, freePort, killLeftovers, readEvents, removeTempDirs, startCli, tempDir, writeConfig, type Running } from './cli-harness';

const execFileAsync = promisify(execFile);

beforeAll(assertBuilt);
afterAll(removeTempDirs);

/** Makes a CA, a server certificate for 127.0.0.1 and a client certificate with the real openssl. */
function makeCertificates(dir: string): void {
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const key = (name: string): void => run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  key('ca');
  run('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=sluice test CA', '-days', '1', '-out', 'ca.crt');
  for (const [name, ext] of [['server', 'subjectAltName=IP:127.0.0.1'], ['client', 'extendedKeyUsage=clientAuth']]) {
    key(name);
    run('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    execFileSync('bash', ['-c', `openssl x509 -req -in ${name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -out ${name}.crt -extfile <(printf '${ext}')`], { cwd: dir, stdio: 'ignore' });
  }
}

/** Sends `payload` over TLS and closes; rejects when the handshake fails. */
function sendTls(port: number, payload: string, options: ConnectionOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ...options }, () => socket.end(payload));
    socket.on('error', reject);
    // A refused client certificate shows up as a reset or alert after the handshake (TLS 1.3).
    socket.on('close', () => resolve());
    socket.resume();
  });
}

async function metric(apiPort: number, component: string, name: string, label: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(label) && candidate.includes(`component_id="${component}"`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('syslog source through the CLI, with util-linux logger and a TLS client', () => {
  let sluice: Running;
  let dir: string;
  let out: string;
  let udp: number;
  let tcp: number;
  let tls: number;
  let apiPort: number;
  const host = hostname();
  const logger = (...args: string[]): Promise<unknown> => execFileAsync('logger', ['--server', '127.0.0.1', ...args], { env: { ...process.env, TZ: 'UTC' } });
  const events = (tag: string): Array<Record<string, unknown>> => readEvents(out).filter((event) => typeof event.message === 'string' && event.message.includes(tag));
  const arrived = (tag: string, count: number): Promise<Array<Record<string, unknown>>> =>
    eventually(() => {
      const found = events(tag);
      return found.length >= count ? found : undefined;
    }, 20_000, `${count} event(s) tagged ${tag}`);

  beforeAll(async () => {
    dir = tempDir('sluice-syslog-e2e-');
    out = join(dir, 'out');
    makeCertificates(dir);
    [udp, tcp, tls, apiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const config = writeConfig(
      dir,
      `api:
  address: 127.0.0.1:${apiPort}
sources:
  syslog_udp:
    type: syslog
    mode: udp
    address: 127.0.0.1:${udp}
    timezone: UTC
  syslog_tcp:
    type: syslog
    mode: tcp
    address: 127.0.0.1:${tcp}
    timezone: UTC
  syslog_tls:
    type: syslog
    mode: tls
    address: 127.0.0.1:${tls}
    tls:
      cert: ${dir}/server.crt
      key: ${dir}/server.key
      client_ca: ${dir}/ca.crt
      require_client_cert: true
sinks:
  files:
    type: file
    inputs: [syslog_udp, syslog_tcp, syslog_tls]
    path: ${out}/events.ndjson
    batch:
      timeout: 20ms
`,
    );
    sluice = startCli(['run', '-c', config, '--log-level', 'info']);
    await eventually(() => {
      if (sluice.child.exitCode !== null) throw new Error(`sluice exited: ${sluice.stderr()}`);
      const listening = sluice.stderr().split('\n').filter((line) => line.includes('syslog source listening'));
      return listening.length === 3 ? true : undefined;
    }, 20_000, 'three syslog listeners');
  });

  afterAll(async () => {
    sluice.child.kill('SIGTERM');
    await sluice.exited;
    killLeftovers();
  });

  it('parses RFC 5424 over TCP with octet counting, structured data included', async () => {
    const before = Date.now();
    await logger('--rfc5424', '--tcp', '--octet-count', '--port', String(tcp), '-t', 'billing', '-p', 'local3.warning', '--msgid', 'INVOICE', '--sd-id', 'order@32473', '--sd-param', 'id="A-17"', '--sd-param', 'note="say \\"hi\\""', 'tag5424tcp paid');
    const [event] = await arrived('tag5424tcp', 1);
    expect(event).toMatchObject({
      message: 'tag5424tcp paid', hostname: host, appname: 'billing', msgid: 'INVOICE', facility: 'local3', facility_code: 19, severity: 'warning', severity_code: 4, version: 1,
      structured_data: { 'order@32473': { id: 'A-17', note: 'say "hi"' }, timeQuality: { tzKnown: '1' } },
    });
    expect(Date.parse(String(event.timestamp))).toBeGreaterThanOrEqual(before - 2000);
    expect(String(event.client)).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('parses RFC 3164 over TCP with LF framing, the year filled in', async () => {
    const before = Date.now();
    await logger('--rfc3164', '--tcp', '--port', String(tcp), '-t', 'cron', '-p', 'cron.info', 'tag3164tcp ran job');
    const [event] = await arrived('tag3164tcp', 1);
    expect(event).toMatchObject({ message: 'tag3164tcp ran job', hostname: host.split('.')[0], appname: 'cron', facility: 'cron', severity: 'info' });
    // BSD timestamps have whole seconds.
    expect(Math.abs(Date.parse(String(event.timestamp)) - before)).toBeLessThan(5000);
  });

  it('parses both formats over UDP, one message per datagram', async () => {
    await logger('--rfc5424', '--udp', '--port', String(udp), '-t', 'app5424', '-p', 'auth.err', 'tag5424udp denied');
    await logger('--rfc3164', '--udp', '--port', String(udp), '-t', 'app3164', '-i', '-p', 'daemon.notice', 'tag3164udp started');
    const [modern] = await arrived('tag5424udp', 1);
    const [bsd] = await arrived('tag3164udp', 1);
    expect(modern).toMatchObject({ message: 'tag5424udp denied', appname: 'app5424', facility: 'auth', severity: 'err', hostname: host });
    expect(bsd).toMatchObject({ message: 'tag3164udp started', appname: 'app3164', facility: 'daemon', severity: 'notice' });
    expect(bsd.procid).toMatch(/^\d+$/);
  });

  it('sends every line of a file, nothing missing and nothing doubled', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => `tagbulk line ${i}`);
    const file = join(dir, 'bulk.txt');
    execFileSync('bash', ['-c', `printf '%s\\n' "$@" > ${file}`, '_', ...lines]);
    await logger('--rfc5424', '--tcp', '--octet-count', '--port', String(tcp), '-t', 'bulk', '-f', file);
    await eventually(() => (events('tagbulk').length >= 500 ? true : undefined), 20_000, '500 bulk lines');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events('tagbulk').map((event) => event.message)).toEqual(lines);
  });

  it('keeps a malformed message, tagged, and counts it', async () => {
    await execFileAsync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${tcp}; printf 'tagbad no pri at all\\n<13>1 2024-13-40T00:00:00Z h a - - - tagbad2 bad date\\n' >&3; exec 3>&-`]);
    const bad = await arrived('tagbad', 2);
    expect(bad.map((event) => [event.message, event.tags])).toEqual([
      ['tagbad no pri at all', ['syslog_parse_error']],
      ['<13>1 2024-13-40T00:00:00Z h a - - - tagbad2 bad date', ['syslog_parse_error']],
    ]);
    expect(await metric(apiPort, 'syslog_tcp', 'sluice_component_errors_total', 'error_type="parse_error"')).toBe(2);
  });

  it('takes RFC 5425 TLS from a client with a certificate and refuses one without', async () => {
    const ca = readFileSync(join(dir, 'ca.crt'));
    const message = '<165>1 2024-06-01T12:00:00.5+02:00 tlshost tlsapp 7 - [a@1 b="c\\]"] tagtls secure';
    await sendTls(tls, `${Buffer.byteLength(message)} ${message}`, { ca, cert: readFileSync(join(dir, 'client.crt')), key: readFileSync(join(dir, 'client.key')) });
    const [event] = await arrived('tagtls', 1);
    expect(event).toMatchObject({ timestamp: '2024-06-01T10:00:00.500Z', hostname: 'tlshost', appname: 'tlsapp', procid: '7', structured_data: { 'a@1': { b: 'c]' } }, message: 'tagtls secure' });
    await sendTls(tls, '<13>1 - - - - - - tagtlsrefused\n', { ca }).catch(() => undefined);
    await eventually(async () => ((await metric(apiPort, 'syslog_tls', 'sluice_component_errors_total', 'error_type="tls_handshake_failed"')) >= 1 ? true : undefined), 10_000, 'the refused handshake to be counted');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events('tagtlsrefused')).toEqual([]);
  });
});
