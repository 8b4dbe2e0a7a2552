import fc from 'fast-check';
import { multiline, newlineFraming, octetCounting, type FramerFactory } from '../../../../src/sources/framing';
import { cut, frame } from './helpers';

const factories: Record<string, FramerFactory> = {
  newline: newlineFraming({ maxLineBytes: 24 }),
  octetCounting: octetCounting({ maxFrameBytes: 24 }),
  multiline: multiline(newlineFraming({ maxLineBytes: 24 }), { rule: { startPattern: /^[A-Z]/ }, maxLines: 3, maxBytes: 40 }),
};

/** Text that exercises each framer: digits, spaces, newlines, CRs, multi-byte characters. */
const input = fc
  .array(fc.constantFrom('1', '2', '0', ' ', '\n', '\r', 'a', 'Z', '€', '5 hello', '12 ', '<13>'), { maxLength: 60 })
  .map((parts) => Buffer.from(parts.join('')));

describe.each(Object.entries(factories))('%s framing', (_, factory) => {
  it('never throws on arbitrary bytes and frames them the same however they are chunked', () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat(200), { maxLength: 8 }), (bytes, at) => {
        const whole = frame(factory, [bytes]);
        const pieces = frame(factory, cut(bytes, at));
        expect(pieces.messages).toEqual(whole.messages);
        expect(pieces.starts).toEqual(whole.starts);
        expect(pieces.errors).toEqual(whole.errors);
      }),
      { numRuns: 500 },
    );
  });

  it('never lets consumed go backwards or past the bytes read', () => {
    fc.assert(
      fc.property(input, fc.array(fc.nat(200), { maxLength: 8 }), (bytes, at) => {
        const out = frame(factory, cut(bytes, at), false);
        let read = 0;
        let previous = 0;
        cut(bytes, at).forEach((piece, i) => {
          read += piece.length;
          expect(out.consumed[i]).toBeGreaterThanOrEqual(previous);
          expect(out.consumed[i]).toBeLessThanOrEqual(read);
          previous = out.consumed[i];
        });
      }),
      { numRuns: 300 },
    );
  });
});
