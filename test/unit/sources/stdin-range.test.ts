import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stdinFileRange } from '../../../src/sources/stdin-range';

describe('stdinFileRange (a regular-file stdin shared by workers)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-range-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The text each of `count` workers reads of `text`. */
  function parts(text: string, count: number): string[] {
    const file = join(dir, `f-${count}-${text.length}`);
    writeFileSync(file, text);
    const bytes = readFileSync(file);
    const fd = openSync(file, 'r');
    try {
      return Array.from({ length: count }, (_, index) => {
        const { start, end } = stdinFileRange(fd, { index, count });
        return bytes.subarray(start, end).toString();
      });
    } finally {
      closeSync(fd);
    }
  }

  it.each([1, 2, 3, 7])('covers the file exactly once in whole lines over %p workers', (count) => {
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`);
    for (const text of [`${lines.join('\n')}\n`, lines.join('\n')]) {
      const got = parts(text, count);
      expect(got.join('')).toBe(text);
      for (const part of got.slice(0, -1)) if (part !== '') expect(part.endsWith('\n')).toBe(true);
    }
  });

  it('gives a line longer than a share to one worker and nothing to the next', () => {
    const text = `${'a'.repeat(200_000)}\nshort\n`;
    expect(parts(text, 2)).toEqual([`${'a'.repeat(200_000)}\n`, 'short\n']);
    expect(parts(`${'b'.repeat(300_000)}\n`, 3)).toEqual([`${'b'.repeat(300_000)}\n`, '', '']);
  });

  it('handles an empty file', () => {
    expect(parts('', 2)).toEqual(['', '']);
  });
});
