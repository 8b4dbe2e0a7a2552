import { encodeLine, encodeLines } from '../../../src/sinks/ndjson';

describe('encodeLine', () => {
  it('writes one JSON object and a newline per event with ndjson', () => {
    expect(encodeLine({ message: 'a\nb', n: 1 }, 'ndjson')).toBe('{"message":"a\\nb","n":1}\n');
  });

  it('writes the message with text, and the JSON form when there is no string message', () => {
    expect(encodeLine({ message: 'plain', level: 'x' }, 'text')).toBe('plain\n');
    expect(encodeLine({ level: 'x' }, 'text')).toBe('{"level":"x"}\n');
  });

  it('joins a batch into one string', () => {
    expect(encodeLines([{ message: 'a' }, { message: 'b' }], 'text')).toBe('a\nb\n');
  });
});
