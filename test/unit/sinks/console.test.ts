import { Writable } from 'node:stream';
import { createBatch } from '../../../src/core/batch';
import { DeliveryError } from '../../../src/core/errors';
import { setEventMeta, type LogEvent } from '../../../src/core/event';
import { consoleSink, createConsoleSink } from '../../../src/sinks/console';
import { deferred, settle } from '../../helpers/async';
import { parseConfig } from '../../helpers/context';
import { gzipCodec } from '../../../operators/compress';
import { ENCODERS } from '../../../operators/encode';
import { gunzipSync } from 'node:zlib';

/** What deliver hands every send; these tests call sinks directly. */
const SEND = { signal: new AbortController().signal };

/** A Writable that records each write and completes it only when the test says so. */
function recordingStream(): { stream: Writable; writes: string[]; finish: Array<(error?: Error) => void> } {
  const writes: string[] = [];
  const finish: Array<(error?: Error) => void> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString('utf8'));
      finish.push(callback);
    },
  });
  return { stream, writes, finish };
}

describe('consoleSink', () => {
  it('writes a batch as NDJSON in one write, without event metadata', async () => {
    const { stream, writes, finish } = recordingStream();
    const sink = createConsoleSink(stream, { encoding: 'ndjson' });
    const first: LogEvent = { message: 'a', level: 'info' };
    setEventMeta(first, { path: '/var/log/x' });
    const sent = sink.send(createBatch([first, { message: 'b', http: { status: 500 } }]), SEND);
    finish[0]();
    await sent;
    expect(writes).toEqual(['{"message":"a","level":"info"}\n{"message":"b","http":{"status":500}}\n']);
  });

  it('writes only messages with the text encoding', async () => {
    const { stream, writes, finish } = recordingStream();
    const sent = createConsoleSink(stream, { encoding: 'text' }).send(createBatch([{ message: 'hello' }, { message: 'world' }]), SEND);
    finish[0]();
    await sent;
    expect(writes).toEqual(['hello\nworld\n']);
  });

  it('resolves the send only after the stream has taken the write (stdout backpressure)', async () => {
    const { stream, finish } = recordingStream();
    let done = false;
    const sent = createConsoleSink(stream, { encoding: 'ndjson' })
      .send(createBatch([{ message: 'x' }]), SEND)
      .then(() => (done = true));
    await settle();
    expect(done).toBe(false);
    finish[0]();
    await sent;
    expect(done).toBe(true);
  });

  it('fails the send with a non-retryable DeliveryError when the write fails, without crashing on the error event', async () => {
    const { stream, finish } = recordingStream();
    const sink = createConsoleSink(stream, { encoding: 'ndjson' });
    const sent = sink.send(createBatch([{ message: 'x' }]), SEND);
    const broken = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    finish[0](broken);
    const error: unknown = await sent.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).retryable).toBe(false);
    await sink.close();
  });

  it('does not end the stream it was given when closed', async () => {
    const { stream } = recordingStream();
    const ended = deferred<void>();
    stream.on('finish', () => ended.resolve());
    await createConsoleSink(stream, { encoding: 'ndjson' }).close();
    expect(stream.writableEnded).toBe(false);
  });

  it('round-trips its example config with ndjson as the default encoding', () => {
    expect(parseConfig(consoleSink, consoleSink.example)).toEqual(expect.objectContaining({ encoding: 'ndjson' }));
  });
});

describe('consoleSink through the shared request builder', () => {
  it('writes the encodable events and fails only the one that cannot be encoded, permanently', async () => {
    const { stream, writes, finish } = recordingStream();
    const sent = createConsoleSink(stream, { encoding: 'ndjson' }).send(createBatch([{ message: 'a' }, { message: 'big', n: 1n as unknown as number }, { message: 'b' }]), SEND);
    finish[0]();
    const result = await sent;
    expect(writes).toEqual(['{"message":"a"}\n{"message":"b"}\n']);
    expect(result.failures?.map((failure) => [failure.index, failure.retryable])).toEqual([[1, false]]);
  });

  it('gzips each request, split by encoded size, in order', async () => {
    const chunks: Buffer[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _encoding, callback) => (chunks.push(chunk), callback()) });
    const [a, b, c] = ['a', 'b', 'c'].map((letter) => letter.repeat(18));
    // 19 encoded bytes each: two fit in 40, and gzip keeps them under 40.
    const direct = createConsoleSink(stream, { encoder: ENCODERS.text, maxBytes: 40, codec: gzipCodec });
    await direct.send(createBatch([{ message: a }, { message: b }, { message: c }]), SEND);
    expect(chunks.map((chunk) => gunzipSync(chunk).toString())).toEqual([`${a}\n${b}\n`, `${c}\n`]);
  });
});
