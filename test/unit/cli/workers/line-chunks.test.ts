import { LineChunker } from '../../../../src/cli/workers/line-chunks';

/** Feeds `text` cut at `cuts` and returns every chunk the chunker gave out, end included. */
function chunksOf(text: string, cuts: readonly number[]): string[] {
  const chunker = new LineChunker();
  const input = Buffer.from(text);
  const out: string[] = [];
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    const chunk = chunker.push(input.subarray(at, cut));
    if (chunk !== undefined) out.push(chunk.toString());
    at = cut;
  }
  const rest = chunker.end();
  if (rest !== undefined) out.push(rest.toString());
  return out;
}

/** A small deterministic generator, so a failure names its seed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

describe('LineChunker', () => {
  it('gives out whole lines only, holding the partial last one', () => {
    expect(chunksOf('a\nbb\ncc', [3, 6])).toEqual(['a\n', 'bb\n', 'cc']);
  });

  it('keeps a final line without a newline at the end', () => {
    expect(chunksOf('one\ntwo', [])).toEqual(['one\n', 'two']);
    expect(chunksOf('x\nlast', [2])).toEqual(['x\n', 'last']);
  });

  it('holds a line longer than several reads until its newline', () => {
    expect(chunksOf('aaaaaaaa\nb\n', [2, 4, 6])).toEqual(['aaaaaaaa\nb\n']);
    expect(chunksOf('aaaaaaaa\nb\n', [2, 4, 6, 9])).toEqual(['aaaaaaaa\n', 'b\n']);
  });

  it('gives nothing for empty input and keeps empty lines', () => {
    expect(chunksOf('', [])).toEqual([]);
    expect(chunksOf('\n\n', [1])).toEqual(['\n', '\n']);
  });

  it('never splits a line and loses no byte, for any chunking', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(seed);
      const lines = Array.from({ length: 1 + Math.floor(next() * 40) }, (_, i) => `line ${i} ${'é'.repeat(Math.floor(next() * 20))}`);
      const text = lines.join('\n') + (next() < 0.5 ? '\n' : '');
      const size = Buffer.byteLength(text);
      const cuts = Array.from({ length: Math.floor(next() * 10) }, () => Math.floor(next() * size)).sort((a, b) => a - b);
      const chunks = chunksOf(text, cuts);
      expect(chunks.join('')).toBe(text);
      // Every chunk but the last ends a line, so no line has parts in two chunks.
      for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith('\n')).toBe(true);
      expect(chunks.flatMap((chunk) => chunk.split('\n').filter((line) => line !== ''))).toEqual(lines.filter((line) => line !== ''));
    }
  });
});
