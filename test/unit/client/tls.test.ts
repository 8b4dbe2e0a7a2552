import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import { IngestClient, PushError } from '../../../src/client';
import { IngestPeer } from './ingest-peer';

/** Mutual TLS with certificates made by openssl for this test: a CA, a server cert for `localhost`, a client cert. */
const dir = mkdtempSync(join(tmpdir(), 'sluice-client-tls-'));
const file = (name: string): string => join(dir, name);
const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '1', '-subj', `/CN=${name}`);
}

function makeCert(name: string, ca: string, extension: string): void {
  writeFileSync(file(`${name}.ext`), extension);
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
}

describe('IngestClient over TLS', () => {
  let peer: IngestPeer;
  const clients: IngestClient[] = [];
  const connect = (tls: ConstructorParameters<typeof IngestClient>[0]['tls']): IngestClient => {
    const client = new IngestClient({ address: peer.address, tls, apiKey: 'secret', connectTimeoutMs: 2_000 });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    makeCa('ca');
    makeCa('other-ca');
    makeCert('server', 'ca', 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
    makeCert('client', 'ca', 'extendedKeyUsage=clientAuth\n');
    const credentials = ServerCredentials.createSsl(readFileSync(file('ca.crt')), [{ cert_chain: readFileSync(file('server.crt')), private_key: readFileSync(file('server.key')) }], true);
    peer = new IngestPeer(credentials);
    await peer.start();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close({ timeoutMs: 100 })));
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes and streams with the CA, a client certificate from files, and the server name override', async () => {
    const client = connect({ caFile: file('ca.crt'), certFile: file('client.crt'), keyFile: file('client.key'), serverName: 'localhost' });
    expect(await client.push([{ message: 'over mTLS' }])).toEqual({ accepted: 1, rejected: [] });
    await client.send({ message: 'streamed over mTLS' });
    await client.defaultStream.flush();
    expect(peer.pushed.at(-1)!.metadata.get('authorization')).toEqual(['Bearer secret']);
    expect(peer.streamedEvents().map((event) => event.message)).toEqual(['streamed over mTLS']);
  });

  it('takes the PEM text itself as well as files', async () => {
    const client = connect({ ca: readFileSync(file('ca.crt'), 'utf8'), cert: readFileSync(file('client.crt')), key: readFileSync(file('client.key')), serverName: 'localhost' });
    expect(await client.push([{ message: 'pem' }])).toEqual({ accepted: 1, rejected: [] });
  });

  it('fails without a client certificate when the server requires one', async () => {
    const client = connect({ caFile: file('ca.crt'), serverName: 'localhost' });
    await expect(client.push([{ message: 'no cert' }], { timeoutMs: 2_000 })).rejects.toBeInstanceOf(PushError);
  });

  it('fails when the server certificate does not chain to the given CA', async () => {
    const client = connect({ caFile: file('other-ca.crt'), certFile: file('client.crt'), keyFile: file('client.key'), serverName: 'localhost' });
    const error = (await client.push([{ message: 'wrong ca' }], { timeoutMs: 2_000 }).catch((caught: unknown) => caught)) as PushError;
    expect(error).toBeInstanceOf(PushError);
    expect(error.retryable).toBe(true);
  });

  it('refuses giving both the PEM and its file', () => {
    expect(() => connect({ ca: 'x', caFile: file('ca.crt') })).toThrow(/give ca or caFile, not both/);
  });
});
