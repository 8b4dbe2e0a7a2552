import { LinkedSet } from '../../../src/core/linked-set';

describe('LinkedSet', () => {
  it('keeps insertion order and removes any node in O(1), once', () => {
    const set = new LinkedSet<string>();
    const [a, b, c] = ['a', 'b', 'c'].map((value) => set.add(value));
    set.remove(b);
    set.remove(b);
    expect(set.values()).toEqual(['a', 'c']);
    set.remove(a);
    set.remove(c);
    expect([set.size, set.values()]).toEqual([0, []]);
    set.add('d');
    expect(set.values()).toEqual(['d']);
  });

  it('ignores a node of another set', () => {
    const one = new LinkedSet<number>();
    const other = new LinkedSet<number>();
    const node = one.add(1);
    other.add(2);
    other.remove(node);
    expect([one.values(), other.values()]).toEqual([[1], [2]]);
  });
});
