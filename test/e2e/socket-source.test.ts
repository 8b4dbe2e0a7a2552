import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import { assertBuilt, eventually, freePort, killLeftovers, readEvents, removeTempDirs, startCli, tempDir, writeConfig, type Running } from './cli-harness';

beforeAll(assertBuilt);
afterAll(removeTempDirs);

/** Writes `chunks` over one stream connection (TCP port or Unix path), each its own write, then closes. */
function sendStream(target: number | string, chunks: Array<string | Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = typeof target === 'number' ? connect(target, '127.0.0.1') : connect(target);
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        await new Promise((wake) => setTimeout(wake, 5));
      }
      socket.end(() => resolve());
    });
  });
}

describe('socket source through the CLI, with Node clients', () => {
  let sluice: Running;
  let out: string;
  let dir: string;
  let tcp: number;
  let udp: number;
  let json: number;
  let unixPath: string;
  const lines = (source: string): unknown[] => readEvents(out).filter((event) => event.via === source || (typeof event.message === 'string' && event.message.startsWith(`${source} `))).map((event) => event.message ?? event.n);

  beforeAll(async () => {
    dir = tempDir('sluice-socket-e2e-');
    out = join(dir, 'out');
    unixPath = join(dir, 'in.sock');
    [tcp, udp, json] = [await freePort(), await freePort(), await freePort()];
    const config = writeConfig(
      dir,
      `sources:
  tcp_in:
    type: socket
    address: 127.0.0.1:${tcp}
  udp_in:
    type: socket
    mode: udp
    address: 127.0.0.1:${udp}
  unix_in:
    type: socket
    mode: unix
    path: ${unixPath}
  json_in:
    type: socket
    address: 127.0.0.1:${json}
    decoding: json
sinks:
  files:
    type: file
    inputs: [tcp_in, udp_in, unix_in, json_in]
    path: ${out}/events.ndjson
    batch:
      timeout: 20ms
`,
    );
    sluice = startCli(['run', '-c', config, '--log-level', 'info']);
    await eventually(() => {
      if (sluice.child.exitCode !== null) throw new Error(`sluice exited: ${sluice.stderr()}`);
      return sluice.stderr().split('\n').filter((line) => line.includes('socket source listening')).length === 4 ? true : undefined;
    }, 20_000, 'four socket listeners');
  });

  afterAll(async () => {
    sluice.child.kill('SIGTERM');
    await sluice.exited;
    killLeftovers();
  });

  it('takes every TCP line exactly once, from several connections, split anywhere', async () => {
    const expected: string[] = [];
    const senders = [0, 1, 2, 3].map((sender) => {
      const text = Array.from({ length: 2000 }, (_, i) => `tcp ${sender}-${i} ${'é'.repeat(i % 7)}\n`).join('');
      expected.push(...text.trimEnd().split('\n'));
      const bytes = Buffer.from(text);
      // Cut at odd places, inside multi-byte characters too.
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += 4093) chunks.push(bytes.subarray(at, at + 4093));
      return sendStream(tcp, chunks);
    });
    await Promise.all(senders);
    await eventually(() => (lines('tcp').length >= expected.length ? true : undefined), 20_000, `${expected.length} tcp lines`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((lines('tcp') as string[]).sort()).toEqual(expected.sort());
  });

  it('takes UDP datagrams, several lines each', async () => {
    const socket = createSocket('udp4');
    for (const datagram of ['udp a\nudp b\n', 'udp c']) await new Promise<void>((resolve, reject) => socket.send(datagram, udp, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    socket.close();
    await eventually(() => (lines('udp').length >= 3 ? true : undefined), 10_000, 'udp lines');
    expect(lines('udp').sort()).toEqual(['udp a', 'udp b', 'udp c']);
  });

  it('takes lines over a Unix socket', async () => {
    await sendStream(unixPath, ['unix one\nunix', ' two\n']);
    await eventually(() => (lines('unix').length >= 2 ? true : undefined), 10_000, 'unix lines');
    expect(lines('unix')).toEqual(['unix one', 'unix two']);
  });

  it('decodes JSON lines, keeping a bad one tagged', async () => {
    await sendStream(json, ['{"via":"json","n":1}\n{"via":"json","n":2}\njson not an object\n']);
    await eventually(() => (lines('json').length >= 3 ? true : undefined), 10_000, 'json lines');
    const events = readEvents(out).filter((event) => event.via === 'json' || event.message === 'json not an object');
    expect(events.map(({ timestamp, ...rest }) => (expect(typeof timestamp).toBe('string'), rest))).toEqual([
      { via: 'json', n: 1 },
      { via: 'json', n: 2 },
      { message: 'json not an object', tags: ['json_parse_error'] },
    ]);
  });
});
