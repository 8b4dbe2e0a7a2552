import fc from 'fast-check';
import type { LogEvent } from '../../../../src/core/event';
import { newlineFraming, octetCounting } from '../../../../src/sources/framing';
import { detectFraming } from '../../../../src/sources/socket/detect-framing';

const framing = detectFraming(octetCounting({ maxFrameBytes: 1024 }), newlineFraming({ maxLineBytes: 1024 }));

/** Frames `stream` cut at `cuts`, returning the messages. */
function frame(stream: Buffer, cuts: number[]): string[] {
  const framer = framing(() => undefined);
  const out: LogEvent[] = [];
  let from = 0;
  for (const cut of [...cuts.filter((at) => at < stream.length).sort((a, b) => a - b), stream.length]) {
    framer.push(stream.subarray(from, cut), 't', out);
    from = cut;
  }
  framer.end('t', out);
  return out.map((event) => String(event.message));
}

describe('detectFraming', () => {
  it('chooses octet counting for a stream starting with a digit, after leading line ends', () => {
    expect(frame(Buffer.from('\r\n5 a\nbcd3 xyz'), [1, 3])).toEqual(['a\nbcd', 'xyz']);
  });

  it('chooses newline framing otherwise', () => {
    expect(frame(Buffer.from('<13>a\n<14>b\n'), [])).toEqual(['<13>a', '<14>b']);
  });

  it('frames the same messages however the stream is chunked', () => {
    const message = fc.string({ minLength: 1, maxLength: 40 }).map((text) => `<13>${text.replace(/[\r\n]/g, ' ')}`);
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 20 }), fc.boolean(), fc.array(fc.nat(2000), { maxLength: 10 }), (messages, counted, cuts) => {
        const stream = Buffer.from(counted ? messages.map((text) => `${Buffer.byteLength(text)} ${text}`).join('') : messages.map((text) => `${text}\n`).join(''));
        expect(frame(stream, cuts)).toEqual(messages);
      }),
    );
  });
});
