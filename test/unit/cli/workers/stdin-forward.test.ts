import { PassThrough, Writable } from 'node:stream';
import { StdinForwarder } from '../../../../src/cli/workers/stdin-forward';
import { silentLogger } from '../../../../src/observability/logger';

/** A worker's stdin pipe that keeps what it receives; `highWaterMark` small to exercise backpressure. */
function pipe(highWaterMark = 1024 * 1024): { stream: Writable; text: () => string; ended: () => boolean } {
  const chunks: Buffer[] = [];
  let ended = false;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      setImmediate(done);
    },
    final(done) {
      ended = true;
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString(), ended: () => ended };
}

/** Waits until `done()` (every pipe ended), up to 5 s: a fixed pause is too short on a loaded CI machine. */
async function settle(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !done() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('StdinForwarder', () => {
  it('hands whole lines to the workers in turn and ends their input at EOF', async () => {
    const input = new PassThrough();
    const forwarder = new StdinForwarder(input, silentLogger());
    const [a, b] = [pipe(), pipe()];
    forwarder.attach(0, a.stream);
    forwarder.attach(1, b.stream);
    input.write('l1\nl2\npart');
    input.write('ial\nl4\n');
    input.end('tail');
    await settle(() => a.ended() && b.ended());
    expect(a.text()).toBe('l1\nl2\ntail');
    expect(b.text()).toBe('partial\nl4\n');
    expect(a.ended() && b.ended()).toBe(true);
  });

  it('delivers every line exactly once through full pipes, and ends a worker attached after EOF at once', async () => {
    const input = new PassThrough();
    const forwarder = new StdinForwarder(input, silentLogger());
    const workers = [pipe(16), pipe(16), pipe(16)];
    workers.forEach((worker, slot) => forwarder.attach(slot, worker.stream));
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    const text = `${lines.join('\n')}\n`;
    for (let at = 0; at < text.length; at += 777) input.write(text.slice(at, at + 777));
    input.end();
    await new Promise((resolve) => input.once('end', resolve));
    await settle(() => workers.every((worker) => worker.ended()));
    const received = workers.flatMap((worker) => worker.text().split('\n').filter((line) => line !== ''));
    expect(received.sort()).toEqual([...lines].sort());
    for (const worker of workers) expect(worker.ended()).toBe(true);
    const late = pipe();
    forwarder.attach(3, late.stream);
    await settle(() => late.ended());
    expect(late.ended()).toBe(true);
  });
});
