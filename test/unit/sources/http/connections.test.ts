import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricValue } from '../../../helpers/context';
import { startHttp, type RunningSource } from './harness';

/** Opens a raw TCP connection to the source. */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server writes until it closes the connection, and how long that took. */
function untilClosed(socket: Socket): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return new Promise((resolve) => socket.once('close', () => resolve({ text, ms: Date.now() - started })));
}

describe('http source connection limits', () => {
  let source: RunningSource;
  afterEach(async () => source?.close());

  it('closes a connection whose headers do not arrive within header_timeout (slow loris)', async () => {
    source = await startHttp({ header_timeout: 300, request_timeout: 20_000 });
    const socket = await open(source.port);
    socket.write('POST /logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
    const { text, ms } = await untilClosed(socket);
    clearInterval(trickle);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(5000);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'header_timeout' })).toBe(1);
  });

  it('answers 408 and closes when the body stalls for body_timeout', async () => {
    source = await startHttp({ body_timeout: 200 });
    const socket = await open(source.port);
    socket.write('POST /logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"message":');
    const { text, ms } = await untilClosed(socket);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(text).toMatch(/no body data for 200 ms/);
    expect(ms).toBeLessThan(5000);
    expect(source.batches).toHaveLength(0);
  });

  it('answers a malformed request line 400 and counts it', async () => {
    source = await startHttp();
    const socket = await open(source.port);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    const { text } = await untilClosed(socket);
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'malformed_request' })).toBe(1);
  });

  it('refuses connections beyond max_connections', async () => {
    source = await startHttp({ max_connections: 2 });
    const kept = [await open(source.port), await open(source.port)];
    const third = await open(source.port);
    const { ms } = await untilClosed(third);
    expect(ms).toBeLessThan(3000);
    for (const socket of kept) expect(socket.destroyed).toBe(false);
    for (const socket of kept) socket.destroy();
  });
});

describe('http source over TLS', () => {
  let source: RunningSource;
  afterEach(async () => source?.close());
  const dir = mkdtempSync(join(tmpdir(), 'sluice-http-tls-'));
  const certificate = (name: string) => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`)], { stdio: 'ignore' });
    return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  };
  const server = certificate('server');
  const client = certificate('client');

  function postTls(port: number, options: { cert?: string; key?: string }): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/logs',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          ca: readFileSync(server.cert),
          ...(options.cert ? { cert: readFileSync(options.cert), key: readFileSync(options.key ?? '') } : {}),
          agent: false,
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{"message":"over tls"}');
    });
  }

  it('serves HTTPS with the configured certificate', async () => {
    source = await startHttp({ tls: { cert: server.cert, key: server.key } });
    source.autoAck();
    expect(await postTls(source.port, {})).toBe(200);
    expect(source.batches[0].events[0].message).toBe('over tls');
  });

  it('requires a client certificate signed by client_ca with require_client_cert (mutual TLS)', async () => {
    source = await startHttp({ tls: { cert: server.cert, key: server.key, client_ca: client.cert, require_client_cert: true } });
    source.autoAck();
    expect(await postTls(source.port, client)).toBe(200);
    await expect(postTls(source.port, {})).rejects.toThrow(/certificate|socket hang up|ECONNRESET|alert/i);
    await expect(postTls(source.port, server)).rejects.toThrow(/certificate|socket hang up|ECONNRESET|alert|unknown ca/i);
  });
});
