import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials, Metadata, status, type ChannelCredentials } from '@grpc/grpc-js';
import { grpcMessageTypes, PUSH_PATH } from '../../../../src/sources/grpc/protos';
import { startGrpcSource, type RunningSource } from './source-harness';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with the real openssl. */
function makeCertificates(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=sluice test CA', '-keyout', path('ca.key'), '-out', path('ca.crt'));
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, subject, ext] of [['server', '/CN=localhost', ['-extfile', path('server.ext')]], ['client', '/CN=service-a', []]] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`));
    openssl('x509', '-req', '-in', path(`${name}.csr`), '-CA', path('ca.crt'), '-CAkey', path('ca.key'), '-CAcreateserial', '-days', '1', '-out', path(`${name}.crt`), ...ext);
  }
  return { ca: path('ca.crt'), serverCert: path('server.crt'), serverKey: path('server.key'), clientCert: path('client.crt'), clientKey: path('client.key') };
}

let dir: string;
let files: ReturnType<typeof makeCertificates>;
const sources: RunningSource[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-grpc-tls-'));
  files = makeCertificates(dir);
});
afterEach(async () => {
  for (const source of sources.splice(0)) await source.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One Push over `channel`: the status code it ended with. */
function pushCode(address: string, channel: ChannelCredentials): Promise<number> {
  const types = grpcMessageTypes();
  const client = new Client(address, channel);
  const request = Buffer.from(types.pushRequest.encode({ events: [{ message: 'over tls' }] }).finish());
  return new Promise((resolve) => {
    client.makeUnaryRequest(PUSH_PATH, (buffer: Buffer) => buffer, (buffer: Buffer) => buffer, request, new Metadata(), { deadline: Date.now() + 5000 }, (error) => {
      client.close();
      resolve(error ? (error.code ?? -1) : status.OK);
    });
  });
}

describe('grpc source: TLS', () => {
  it('serves TLS with the configured certificate and refuses plain text', async () => {
    const source = await startGrpcSource({ tls: { cert: files.serverCert, key: files.serverKey }, ack: 'received' });
    sources.push(source);
    expect(await pushCode(source.address, credentials.createSsl(readFileSync(files.ca)))).toBe(status.OK);
    expect(await pushCode(source.address, credentials.createInsecure())).toBe(status.UNAVAILABLE);
  });

  it('with require_client_cert, takes only clients with a certificate signed by client_ca', async () => {
    const source = await startGrpcSource({ tls: { cert: files.serverCert, key: files.serverKey, client_ca: files.ca, require_client_cert: true }, ack: 'received' });
    sources.push(source);
    const ca = readFileSync(files.ca);
    expect(await pushCode(source.address, credentials.createSsl(ca, readFileSync(files.clientKey), readFileSync(files.clientCert)))).toBe(status.OK);
    expect(await pushCode(source.address, credentials.createSsl(ca))).toBe(status.UNAVAILABLE);
    expect(source.batches).toHaveLength(1);
  });
});
