import { PassThrough } from 'node:stream';
import type { Observable, SchedulerLike } from 'rxjs';
import { asyncScheduler } from 'rxjs';
import type { Batch } from '../../../src/core/batch';
import { multiline, newlineFraming, octetCounting } from '../../../src/sources/framing';
import { fromReadable } from '../../../src/sources/readable';
import { settle, until } from '../../helpers/async';
import { metricValue, testSourceContext, type TestSourceContext } from '../../helpers/context';

interface Collected {
  batches: Batch[];
  completed: boolean;
  error: unknown;
  messages(): string[];
  unsubscribe(): void;
}

function collect(source: Observable<Batch>): Collected {
  const out: Collected = {
    batches: [],
    completed: false,
    error: undefined,
    messages: () => out.batches.flatMap((batch) => batch.events.map((event) => String(event.message))),
    unsubscribe: () => subscription.unsubscribe(),
  };
  const subscription = source.subscribe({
    next: (batch) => out.batches.push(batch),
    error: (error) => (out.error = error),
    complete: () => (out.completed = true),
  });
  return out;
}

/** Writes the chunks, ends the stream and waits for the source to complete. */
async function feed(chunks: Array<string | Buffer>, maxLineBytes = 1024, ctx: TestSourceContext = testSourceContext()): Promise<Collected> {
  const stream = new PassThrough();
  const out = collect(fromReadable(stream, ctx, { maxLineBytes }));
  for (const chunk of chunks) {
    stream.write(chunk);
    await settle();
  }
  stream.end();
  await until(() => out.completed || out.error !== undefined);
  return out;
}

const lineTooLong = (ctx: TestSourceContext): Promise<number> => metricValue(ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'line_too_long' });

describe('fromReadable', () => {
  it('joins a line split across chunks', async () => {
    const out = await feed(['hel', 'lo\nwor', 'ld\n']);
    expect(out.messages()).toEqual(['hello', 'world']);
  });

  it('emits one batch per chunk that completes lines', async () => {
    const out = await feed(['a\nb\n', 'c\n']);
    expect(out.batches.map((batch) => batch.events.length)).toEqual([2, 1]);
  });

  it('strips the carriage return of CRLF line endings, also when \\r and \\n arrive in different chunks', async () => {
    const out = await feed(['one\r\ntwo\r', '\nthree\r\n']);
    expect(out.messages()).toEqual(['one', 'two', 'three']);
  });

  it('decodes a UTF-8 character split across two chunks', async () => {
    const bytes = Buffer.from('héllo €uro\n', 'utf8');
    const cut = bytes.indexOf(Buffer.from('€')) + 1; // inside the three bytes of €
    const out = await feed([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(out.messages()).toEqual(['héllo €uro']);
  });

  it('truncates a line longer than maxLineBytes within one chunk and counts line_too_long', async () => {
    const ctx = testSourceContext();
    const out = await feed(['abcdefghij\nxy\n'], 5, ctx);
    expect(out.messages()).toEqual(['abcde', 'xy']);
    expect(await lineTooLong(ctx)).toBe(1);
  });

  it('truncates an oversized line spanning chunks once, and discards the rest up to the next newline', async () => {
    const ctx = testSourceContext();
    const out = await feed(['abc', 'defgh', 'ijklmnop', 'qr\nxy\n'], 5, ctx);
    expect(out.messages()).toEqual(['abcde', 'xy']);
    expect(await lineTooLong(ctx)).toBe(1);
  });

  it('truncates on a UTF-8 character boundary, never inside a character', async () => {
    const out = await feed(['€€\n'], 4);
    expect(out.messages()).toEqual(['€']);
  });

  it('emits the final line that has no newline when the stream ends', async () => {
    const out = await feed(['first\nlast']);
    expect(out.messages()).toEqual(['first', 'last']);
    expect(out.completed).toBe(true);
  });

  it('skips blank lines', async () => {
    const out = await feed(['a\n\n\r\nb\n']);
    expect(out.messages()).toEqual(['a', 'b']);
  });

  it('stamps every event of a chunk with one timestamp from the scheduler', async () => {
    const scheduler: SchedulerLike = { now: () => Date.UTC(2024, 4, 6, 7, 8, 9), schedule: asyncScheduler.schedule.bind(asyncScheduler) };
    const out = await feed(['a\nb\n'], 1024, testSourceContext({}, { scheduler }));
    expect(out.batches[0].events).toEqual([
      { message: 'a', timestamp: '2024-05-06T07:08:09.000Z' },
      { message: 'b', timestamp: '2024-05-06T07:08:09.000Z' },
    ]);
  });

  it('sizes each batch by the bytes of the lines it framed and reports the end offset when its ack settles', async () => {
    const ctx = testSourceContext();
    const stream = new PassThrough();
    const offsets: number[] = [];
    const out = collect(fromReadable(stream, ctx, { maxLineBytes: 100, onSettled: (offset, outcome) => outcome.ok && offsets.push(offset) }));
    stream.write('aa\nbb');
    await settle();
    stream.write('b\n');
    await settle();
    expect(out.batches.map((batch) => batch.bytes)).toEqual([3, 4]);
    out.batches.forEach((batch) => batch.ack.resolve());
    expect(offsets).toEqual([3, 7]);
    out.unsubscribe();
  });

  it('pauses the stream when credit is exhausted and resumes when acks return it, never exceeding the bound by more than one chunk', async () => {
    const ctx = testSourceContext({ maxEvents: 10 });
    const stream = new PassThrough();
    const out = collect(fromReadable(stream, ctx, { maxLineBytes: 100 }));
    const chunk = 'l1\nl2\nl3\nl4\nl5\n'; // five events per chunk
    for (let i = 0; i < 20; i++) stream.write(chunk);
    stream.end();
    await settle();
    expect(stream.isPaused()).toBe(true);
    expect(out.messages().length).toBe(10);
    let resolved = 0;
    for (let turn = 0; turn < 1000 && !out.completed; turn++) {
      expect(ctx.credit.inFlightEvents).toBeLessThanOrEqual(10 + 5);
      const pending = out.batches.slice(resolved);
      resolved = out.batches.length;
      for (const batch of pending) batch.ack.resolve();
      await settle();
    }
    expect(out.completed).toBe(true);
    expect(out.messages().length).toBe(100);
    expect(ctx.credit.peakEvents).toBeLessThanOrEqual(15);
  });

  it('emits the partial line it holds and completes when the pipeline stops, without destroying the stream', async () => {
    const ctx = testSourceContext();
    const stream = new PassThrough();
    const out = collect(fromReadable(stream, ctx, { maxLineBytes: 100 }));
    stream.write('a\npart');
    await settle();
    ctx.stop();
    expect(out.messages()).toEqual(['a', 'part']);
    expect(out.completed).toBe(true);
    expect(stream.destroyed).toBe(false);
    expect(stream.listenerCount('data')).toBe(0);
  });

  it('errors when the stream errors', async () => {
    const stream = new PassThrough();
    const out = collect(fromReadable(stream, testSourceContext(), { maxLineBytes: 100 }));
    stream.destroy(new Error('disk on fire'));
    await until(() => out.error !== undefined);
    expect((out.error as Error).message).toBe('disk on fire');
  });

  it('removes its listeners and credit wait when unsubscribed', async () => {
    const ctx = testSourceContext({ maxEvents: 1 });
    const stream = new PassThrough();
    const out = collect(fromReadable(stream, ctx, { maxLineBytes: 100 }));
    stream.write('a\n');
    await settle();
    expect(stream.isPaused()).toBe(true);
    out.unsubscribe();
    expect(stream.listenerCount('data')).toBe(0);
    expect(stream.listenerCount('end')).toBe(0);
    out.batches[0].ack.resolve(); // returns credit: the cancelled waiter must not resume the stream
    expect(stream.isPaused()).toBe(true);
  });

  it('completes at once on a stream that has already ended', async () => {
    const stream = new PassThrough();
    stream.end('x\n');
    stream.resume();
    await until(() => stream.readableEnded);
    const out = collect(fromReadable(stream, testSourceContext(), { maxLineBytes: 100 }));
    expect(out.completed).toBe(true);
  });

  it('frames with the framing it is given and counts its framing errors', async () => {
    const ctx = testSourceContext();
    const stream = new PassThrough();
    const out = collect(fromReadable(stream, ctx, { framing: octetCounting({ maxFrameBytes: 100 }) }));
    stream.end('4 a\nbc<13>bad\n3 xyz');
    await until(() => out.completed);
    expect(out.messages()).toEqual(['a\nbc', '<13>bad', 'xyz']);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'frame_malformed' })).toBe(1);
  });

  it('commits only offsets past whole multi-line events when a group is held across chunks', async () => {
    const ctx = testSourceContext();
    const stream = new PassThrough();
    const offsets: number[] = [];
    const framing = multiline(newlineFraming({ maxLineBytes: 100 }), { rule: { continuationPattern: /^\s/ }, maxLines: 10, maxBytes: 1000 });
    const out = collect(fromReadable(stream, ctx, { framing, onSettled: (offset) => offsets.push(offset) }));
    stream.write('E1\n at x\n');
    await settle();
    stream.write('E2\n');
    await settle();
    expect(out.messages()).toEqual(['E1\n at x']);
    out.batches.forEach((batch) => batch.ack.resolve());
    expect(offsets).toEqual([9]); // E2 is held: not committed yet
    out.unsubscribe();
  });

  it('puts the meta it is given on every batch, the same object each time', async () => {
    const meta = Object.freeze({ source: 'tcp_in', input: 'tcp', peer: '10.0.0.7:51234', connection: '7' });
    const stream = new PassThrough();
    const out = collect(fromReadable(stream, testSourceContext(), { maxLineBytes: 100, meta }));
    stream.write('a\n');
    await settle();
    stream.end('b\n');
    await until(() => out.completed);
    expect(out.batches.map((batch) => batch.meta)).toEqual([meta, meta]);
    expect(out.batches[1].meta).toBe(meta);
  });

  it('frames newline-delimited lines with a 1 MiB bound when given no maxLineBytes nor framing', async () => {
    const stream = new PassThrough();
    const out = collect(fromReadable(stream, testSourceContext(), {}));
    stream.end(`${'x'.repeat(1024 * 1024 + 5)}\nshort\n`);
    await until(() => out.completed);
    expect(out.messages().map((message) => message.length)).toEqual([1024 * 1024, 5]);
  });
});
