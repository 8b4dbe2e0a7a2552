import { newlineFraming } from '../../../../src/sources/framing';
import { frame } from './helpers';

describe('newlineFraming', () => {
  it('reports where each line starts, also for lines carried across chunks and blank lines skipped', () => {
    const out = frame(newlineFraming({ maxLineBytes: 100 }), ['ab\n\ncd', 'ef\ngh']);
    expect(out.messages).toEqual(['ab', 'cdef', 'gh']);
    expect(out.starts).toEqual([0, 4, 9]);
  });

  it('reports the start of a line emitted truncated while it was still being read', () => {
    const out = frame(newlineFraming({ maxLineBytes: 3 }), ['x\nabcd', 'ef\ny\n']);
    expect(out.messages).toEqual(['x', 'abc', 'y']);
    expect(out.starts).toEqual([0, 2, 9]);
    expect(out.errors).toEqual(['line_too_long']);
  });

  it('keeps blank lines when skipEmptyLines is false', () => {
    expect(frame(newlineFraming({ maxLineBytes: 10, skipEmptyLines: false }), ['a\n\nb\n']).messages).toEqual(['a', '', 'b']);
  });
});
