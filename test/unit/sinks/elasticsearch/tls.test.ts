import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatch } from '../../../../src/core/batch';
import type { Sink } from '../../../../src/core/sink';
import { elasticsearchSink } from '../../../../src/sinks/elasticsearch/elasticsearch';
import { parseConfig, testContext } from '../../../helpers/context';

/**
 * TLS with a private CA, on a real TLS handshake: an HTTPS server whose certificate a
 * throw-away CA signed (made with the openssl CLI), standing in for an Elasticsearch node
 * with security on (the test distribution has security off).
 */

let dir: string;
let server: Server;
let endpoint: string;
const sinks: Sink[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-es-tls-'));
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=sluice test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
  server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
      res.end(req.url?.startsWith('/_bulk') ? JSON.stringify({ errors: false, items: [{ index: { status: 201 } }] }) : JSON.stringify({ status: 'green' }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

function create(tls?: Record<string, unknown>): Sink {
  const sink = elasticsearchSink.create(parseConfig(elasticsearchSink, { endpoints: [endpoint], ...(tls ? { tls } : {}) }), testContext({ kind: 'sink', type: 'elasticsearch' }));
  sinks.push(sink);
  return sink;
}

const signal = () => new AbortController().signal;

describe('elasticsearch sink over TLS', () => {
  it('trusts a server certificate signed by the CA in tls.ca_file', async () => {
    const sink = create({ ca_file: join(dir, 'ca.pem') });
    await expect(sink.start?.({ signal: signal() })).resolves.toBeUndefined();
    expect(await sink.send(createBatch([{ message: 'over tls' }]), { signal: signal() })).toEqual({});
  });

  it('refuses the server without the CA, and says why', async () => {
    await expect(create().start?.({ signal: signal() })).rejects.toThrow(/certificate/i);
  });

  it('connects anyway with verify_certificate: false', async () => {
    await expect(create({ verify_certificate: false }).start?.({ signal: signal() })).resolves.toBeUndefined();
  });
});
