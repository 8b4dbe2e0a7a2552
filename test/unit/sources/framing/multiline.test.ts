import type { LogEvent } from '../../../../src/core/event';
import { LineFramer, multiline, MultilineFramer, newlineFraming, type MultilineOptions } from '../../../../src/sources/framing';
import { frame } from './helpers';

const lines = newlineFraming({ maxLineBytes: 1024 });
const byStart = (options: Partial<MultilineOptions> = {}) => multiline(lines, { rule: { startPattern: /^\d{4}-/ }, maxLines: 100, maxBytes: 10_000, ...options });
const javaTrace = ['2024-05-06 ERROR boom', 'java.lang.IllegalStateException: x', '\tat A.b(A.java:1)', '\tat C.d(C.java:2)', '2024-05-06 INFO next', ''].join('\n');

describe('multiline', () => {
  it('groups a stack trace into one event by a start pattern, joined with newlines', () => {
    const out = frame(byStart(), [javaTrace]);
    expect(out.messages).toEqual(['2024-05-06 ERROR boom\njava.lang.IllegalStateException: x\n\tat A.b(A.java:1)\n\tat C.d(C.java:2)', '2024-05-06 INFO next']);
  });

  it('groups by a continuation pattern (lines starting with whitespace continue the event)', () => {
    const out = frame(multiline(lines, { rule: { continuationPattern: /^\s/ }, maxLines: 100, maxBytes: 10_000 }), ['Exception in main\n', '\tat A\n  at B\nnext\n']);
    expect(out.messages).toEqual(['Exception in main\n\tat A\n  at B', 'next']);
  });

  it('holds the last group until the next start line, and emits it at the end of input', () => {
    expect(frame(byStart(), ['2024-01-01 a\n  more\n'], false).messages).toEqual([]);
    expect(frame(byStart(), ['2024-01-01 a\n  more\n']).messages).toEqual(['2024-01-01 a\n  more']);
  });

  it('starts a new event once maxLines lines are held', () => {
    const out = frame(byStart({ maxLines: 2 }), ['2024-01-01 a\nb\nc\nd\ne\n']);
    expect(out.messages).toEqual(['2024-01-01 a\nb', 'c\nd', 'e']);
  });

  it('starts a new event when the next line would exceed maxBytes', () => {
    const out = frame(byStart({ maxBytes: 12 }), ['2024-01-01 a\nbb\ncc\n2024-01-02\n']);
    expect(out.messages).toEqual(['2024-01-01 a', 'bb\ncc', '2024-01-02']);
  });

  it('keeps consumed at the first line of the held group, so a checkpoint covers every line of an event', () => {
    const out = frame(byStart(), ['2024-01-01 a\n', '  b\n2024-', '01-02 c\n  d\n'], false);
    // 'a' and its continuation are held until the start of the second event is complete.
    expect(out.consumed).toEqual([0, 0, 17]);
    expect(out.starts).toEqual([0]);
    expect(out.messages).toEqual(['2024-01-01 a\n  b']);
  });

  it('flushes the held group on demand (the hook of a time-based flush)', () => {
    const framer = new MultilineFramer(new LineFramer(1024, true, () => undefined), { rule: { startPattern: /^\d{4}-/ }, maxLines: 100, maxBytes: 10_000 });
    const out: LogEvent[] = [];
    framer.push(Buffer.from('2024-01-01 a\n  b\n'), 't', out);
    expect(framer.holding).toBe(true);
    framer.flush(out);
    expect(out.map((event) => event.message)).toEqual(['2024-01-01 a\n  b']);
    expect(framer.consumed).toBe(17);
  });

  it('ignores a global flag on the pattern (a stateful lastIndex would skip matches)', () => {
    const out = frame(multiline(lines, { rule: { startPattern: /^S/g }, maxLines: 10, maxBytes: 1000 }), ['S1\nS2\nS3\nx\n']);
    expect(out.messages).toEqual(['S1', 'S2', 'S3\nx']);
  });
});
