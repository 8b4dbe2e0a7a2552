import { octetCounting } from '../../../../src/sources/framing';
import { frame } from './helpers';

const octets = octetCounting({ maxFrameBytes: 16 });
const framed = (message: string): string => `${Buffer.byteLength(message)} ${message}`;

describe('octetCounting', () => {
  it('frames back-to-back MSG-LEN SP MSG frames, keeping newlines inside a message', () => {
    const out = frame(octets, [framed('<13>one') + framed('two\nlines') + framed('three')]);
    expect(out.messages).toEqual(['<13>one', 'two\nlines', 'three']);
    expect(out.errors).toEqual([]);
  });

  it('reassembles a frame whose length prefix, space and body are split across chunks', () => {
    const out = frame(octets, ['1', '1', ' hello', ' w', 'orld', '3 abc']);
    expect(out.messages).toEqual(['hello world', 'abc']);
  });

  it('decodes a UTF-8 character split across chunks inside a frame', () => {
    const bytes = Buffer.from(framed('prix: 5 €'));
    const out = frame(octets, [bytes.subarray(0, bytes.length - 2), bytes.subarray(bytes.length - 2)]);
    expect(out.messages).toEqual(['prix: 5 €']);
  });

  it('drops LF or CRLF between frames and one trailing LF inside a frame', () => {
    const out = frame(octets, ['4 abc\n\r\n', '3 xyz\n', '2 ok']);
    expect(out.messages).toEqual(['abc', 'xyz', 'ok']);
  });

  it('truncates a frame longer than maxFrameBytes on a UTF-8 boundary, skips the rest exactly and stays in sync', () => {
    const long = `${'a'.repeat(15)}€€€`;
    const out = frame(octets, [framed(long).slice(0, 12), framed(long).slice(12) + framed('next')]);
    expect(out.messages).toEqual(['a'.repeat(15), 'next']);
    expect(out.errors).toEqual(['frame_too_long']);
  });

  it('counts a malformed length prefix and keeps the bytes up to the next newline as one message, then resyncs', () => {
    const out = frame(octets, ['<13>not counted\n', '05 lead\n', '12x\n', framed('good')]);
    expect(out.messages).toEqual(['<13>not counted', '05 lead', '12x', 'good']);
    expect(out.errors).toEqual(['frame_malformed', 'frame_malformed', 'frame_malformed']);
  });

  it('refuses a length prefix of more than ten digits as malformed instead of waiting for gigabytes', () => {
    const out = frame(octets, ['12345678901 x\n', framed('after')]);
    expect(out.messages).toEqual(['12345678901 x', 'after']);
    expect(out.errors).toEqual(['frame_malformed']);
  });

  it('bounds a malformed line like a frame: truncated at maxFrameBytes and counted', () => {
    const out = frame(octets, [`<${'z'.repeat(30)}\n`, framed('ok')]);
    expect(out.messages).toEqual([`<${'z'.repeat(15)}`, 'ok']);
    expect(out.errors).toEqual(['frame_malformed', 'frame_too_long']);
  });

  it('advances consumed only past whole frames, so a checkpoint never splits a frame', () => {
    const out = frame(octets, ['5 ab', 'cde3 x', 'yz'], false);
    expect(out.consumed).toEqual([0, 7, 12]);
    expect(out.starts).toEqual([0, 7]);
  });

  it('emits a frame cut short by the end of input and counts it as malformed', () => {
    const out = frame(octets, ['10 abc']);
    expect(out.messages).toEqual(['abc']);
    expect(out.errors).toEqual(['frame_malformed']);
  });
});
