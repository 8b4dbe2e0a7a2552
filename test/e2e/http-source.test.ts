import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { assertBuilt, eventually, freePort, killLeftovers, readEvents, removeTempDirs, startCli, tempDir, writeConfig, type Running } from './cli-harness';

const execFileAsync = promisify(execFile);

beforeAll(assertBuilt);
afterAll(removeTempDirs);

/** What curl got: status, lower-cased headers (the last response's), body. */
interface CurlAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
}

/** Runs the real curl with `args` (-sS -i added) and parses the answer. */
async function curl(...args: string[]): Promise<CurlAnswer> {
  const { stdout } = await execFileAsync('curl', ['-sS', '-i', '--max-time', '20', ...args], { maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' });
  // With Expect: 100-continue, curl prints the interim "HTTP/1.1 100 Continue" block first.
  const blocks = stdout.split('\r\n\r\n');
  let at = 0;
  while (/^HTTP\/1\.1 100 /.test(blocks[at] ?? '')) at++;
  const [statusLine, ...headerLines] = blocks[at].split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const text = blocks.slice(at + 1).join('\r\n\r\n');
  return { status: Number(statusLine.split(' ')[1]), headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function metric(apiPort: number, name: string, errorType: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(`error_type="${errorType}"`) && candidate.includes('component_id="web"'));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

async function started(running: Running, port: number): Promise<void> {
  await eventually(async () => {
    if (running.child.exitCode !== null) throw new Error(`sluice exited: ${running.stderr()}`);
    return (await fetch(`http://127.0.0.1:${port}/logs`, { method: 'OPTIONS' }).catch(() => undefined))?.status;
  }, 20_000, 'the http source to listen');
}

describe('http source through the CLI, with curl', () => {
  let sluice: Running;
  let port: number;
  let apiPort: number;
  let out: string;
  let dir: string;
  const url = (path = '/logs') => `http://127.0.0.1:${port}${path}`;
  const key = ['-H', 'authorization: Bearer test-key'];

  beforeAll(async () => {
    dir = tempDir('sluice-http-e2e-');
    out = join(dir, 'out');
    [port, apiPort] = [await freePort(), await freePort()];
    const config = writeConfig(
      dir,
      `api:
  address: 127.0.0.1:${apiPort}
sources:
  web:
    type: http
    address: 127.0.0.1:${port}
    max_body_bytes: 64KiB
    auth:
      api_keys: [test-key, limited-key]
    rate_limit:
      events_per_second: 10
      burst: 200
sinks:
  files:
    type: file
    inputs: [web]
    path: ${out}/events.ndjson
    batch:
      timeout: 20ms
`,
    );
    sluice = startCli(['run', '-c', config, '--log-level', 'warn']);
    await started(sluice, port);
  });

  afterAll(async () => {
    sluice.child.kill('SIGTERM');
    await sluice.exited;
    killLeftovers();
  });

  it('accepts every format with 200 once the events are written', async () => {
    const ok = async (args: string[], accepted: number) => expect((await curl(...key, ...args)).body).toEqual({ accepted, rejected: 0 });
    await ok(['-H', 'content-type: application/json', '--data-binary', '{"message":"json object","level":"WARNING","tag":"fmt"}', url()], 1);
    await ok(['-H', 'content-type: application/json', '--data-binary', '[{"msg":"array 1","tag":"fmt"},{"log":"array 2","tag":"fmt"}]', url('/ingest')], 2);
    await ok(['-H', 'content-type: application/json', '--data-binary', '{"events":[{"message":"wrapped","tag":"fmt","ts":1700000000}]}', url()], 1);
    await ok(['-H', 'content-type: application/x-ndjson', '--data-binary', '{"message":"nd 1","tag":"fmt"}\n{"message":"nd 2","tag":"fmt"}\n', url()], 2);
    await ok(['-H', 'content-type: text/csv', '--data-binary', 'message,level,tag\n"csv, one",50,fmt\ncsv two,err,fmt\n', url()], 2);
    await ok(['-H', 'content-type: text/plain', '--data-binary', 'plain line\n', url()], 1);
    const events = readEvents(out).filter((event) => event.tag === 'fmt' || event.message === 'plain line');
    expect(events.map((event) => event.message).sort()).toEqual(['array 1', 'array 2', 'csv two', 'csv, one', 'json object', 'nd 1', 'nd 2', 'plain line', 'wrapped'].sort());
    expect(events.find((event) => event.message === 'json object')?.level).toBe('warn');
    expect(events.find((event) => event.message === 'csv, one')?.level).toBe('error');
    expect(events.find((event) => event.message === 'wrapped')?.timestamp).toBe('2023-11-14T22:13:20.000Z');
  });

  it('decodes gzip, deflate and zstd request bodies', async () => {
    const body = '{"message":"compressed","tag":"enc"}\n{"message":"compressed","tag":"enc"}\n';
    const file = (name: string, data: Buffer) => {
      const path = join(dir, name);
      writeFileSync(path, data);
      return `@${path}`;
    };
    const gz = file('body.gz', gzipSync(body));
    const zz = file('body.zz', execFileSync('node', ['-e', 'process.stdout.write(require("zlib").deflateSync(require("fs").readFileSync(0)))'], { input: body }));
    const zst = file('body.zst', execFileSync('zstd', ['-q', '-c'], { input: body }));
    for (const [encoding, data] of [['gzip', gz], ['deflate', zz], ['zstd', zst]]) {
      const answer = await curl(...key, '-H', 'content-type: application/x-ndjson', '-H', `content-encoding: ${encoding}`, '--data-binary', data, url());
      expect({ encoding, status: answer.status, body: answer.body }).toEqual({ encoding, status: 200, body: { accepted: 2, rejected: 0 } });
    }
    expect(readEvents(out).filter((event) => event.tag === 'enc')).toHaveLength(6);
  });

  it('answers 207, 400, 401, 413 and 415, counting each rejection', async () => {
    const partial = await curl(...key, '-H', 'content-type: application/x-ndjson', '--data-binary', '{"message":"good"}\n{"message":{"not":"a string"}}\n', url());
    expect(partial).toMatchObject({ status: 207, body: { accepted: 1, rejected: 1, errors: [{ index: 1, line: 2, error: 'message must be a string, got object' }] } });
    expect((await curl(...key, '-H', 'content-type: application/json', '--data-binary', '{"message": tru', url())).status).toBe(400);
    const unauthorized = await curl('-H', 'content-type: application/json', '--data-binary', '{}', url());
    expect(unauthorized).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    expect((await curl('-H', 'x-api-key: nope', '-H', 'content-type: application/json', '--data-binary', '{}', url())).status).toBe(401);
    expect((await curl(...key, '--data', 'a=b', url())).status).toBe(415); // curl's default form encoding
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ message: 'x'.repeat(100 * 1024) }));
    expect((await curl(...key, '-H', 'content-type: application/json', '--data-binary', `@${big}`, url())).status).toBe(413);
    // Chunked, so no Content-Length to refuse up front: the limit is counted while reading.
    expect((await curl(...key, '-H', 'content-type: application/json', '-H', 'transfer-encoding: chunked', '--data-binary', `@${big}`, url())).status).toBe(413);
    expect(await metric(apiPort, 'sluice_component_errors_total', 'unauthorized')).toBe(2);
    expect(await metric(apiPort, 'sluice_component_errors_total', 'unsupported_media_type')).toBe(1);
    expect(await metric(apiPort, 'sluice_component_errors_total', 'too_large')).toBe(2);
    expect(await metric(apiPort, 'sluice_component_errors_total', 'bad_body')).toBe(1);
    expect(await metric(apiPort, 'sluice_component_errors_total', 'invalid_event')).toBe(1);
  });

  it('answers 429 with Retry-After once an API key is over its rate limit', async () => {
    const batch = JSON.stringify(Array.from({ length: 150 }, (_, i) => ({ message: `rate ${i}` })));
    const limited = ['-H', 'x-api-key: limited-key', '-H', 'content-type: application/json', '--data-binary', batch, url()];
    expect((await curl(...limited)).status).toBe(200);
    const refused = await curl(...limited);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await metric(apiPort, 'sluice_component_errors_total', 'rate_limited')).toBe(1);
  });
});

describe('http source backpressure and draining through the CLI, with curl', () => {
  it('answers 429 when credit is exhausted and 503 while draining, then answers the held request', async () => {
    const dir = tempDir('sluice-http-drain-');
    const port = await freePort();
    // The console sink writes to a stdout nobody reads: its pipe fills, writes stall, acks stay
    // pending. A probe that slips in before the held request took the credit gets its 503 at
    // ack_timeout, and the loop asks again.
    const config = writeConfig(
      dir,
      `api:
  enabled: false
shutdown_timeout: 3s
sources:
  web:
    type: http
    address: 127.0.0.1:${port}
    max_in_flight_bytes: 64KiB
    ack_timeout: 2s
sinks:
  out:
    type: console
    inputs: [web]
`,
    );
    const sluice = startCli(['run', '-c', config, '--log-level', 'warn'], { readStdout: false });
    try {
      await started(sluice, port);
      const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ message: `held ${i} ${'p'.repeat(200)}` })).join('\n');
      const bodyFile = join(dir, 'held.ndjson');
      writeFileSync(bodyFile, lines);
      const held = curl('-H', 'content-type: application/x-ndjson', '--data-binary', `@${bodyFile}`, `http://127.0.0.1:${port}/logs`);
      const busy = await eventually(async () => {
        const answer = await curl('-H', 'content-type: application/json', '--data-binary', '{"message":"more"}', `http://127.0.0.1:${port}/logs`);
        return answer.status === 429 ? answer : undefined;
      }, 10_000, 'a 429 while credit is held');
      expect(busy.headers['retry-after']).toBe('1');
      sluice.child.kill('SIGTERM');
      const draining = await eventually(async () => {
        const answer = await curl('-H', 'content-type: application/json', '--data-binary', '{"message":"late"}', `http://127.0.0.1:${port}/logs`);
        return answer.status === 503 ? answer : undefined;
      }, 5_000, 'a 503 while draining');
      expect(draining.headers).toMatchObject({ 'retry-after': '5', connection: 'close' });
      // The stalled sink never delivers: at shutdown_timeout the drain gives up and the process
      // exits. The held request must not be told its events arrived: it gets a 503 or, when the
      // process is gone before the answer is flushed, no answer (the client resends either way).
      const outcome = await held.then((answer) => `status ${answer.status}`, (error: Error) => error.message);
      expect(outcome).toMatch(/status 503|Empty reply from server/);
    } finally {
      sluice.child.kill('SIGKILL');
      await sluice.exited;
    }
  });
});
