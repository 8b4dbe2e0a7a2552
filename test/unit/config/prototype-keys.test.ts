import { expandEnv } from '../../../src/config/env';
import { loadYamlConfig } from '../../../src/config/yaml';
import { validateGraph } from '../../../src/graph/validate';
import { testRegistry } from '../graph/fixtures';

// Regression (issue 7): option names were checked with `key in shape`, and config maps were
// rebuilt by assignment, so names of Object.prototype members slipped through validation.
describe('config keys named after Object.prototype members', () => {
  const pipeline = (extra: string): string =>
    `sources:\n  raw:\n    type: counting\nsinks:\n  out:\n    type: collect\n    inputs: [raw]\n    ${extra}\n`;

  it.each(['constructor', 'toString', '__proto__'])('reports a YAML option named %p as unknown, at its line', (name) => {
    const loaded = loadYamlConfig('p.yaml', {}, pipeline(`${name}: 1`));
    const { issues } = validateGraph(loaded.data, testRegistry());
    expect(issues.map((issue) => loaded.toError(issue).format())).toEqual([
      expect.stringMatching(new RegExp(`^p\\.yaml:8:5: sinks\\.out\\.${name}: unknown option "${name}"; known options: `)),
    ]);
  });

  it('keeps a YAML `__proto__:` map as a key, never as the prototype of the config object', () => {
    const loaded = loadYamlConfig('p.yaml', {}, pipeline('__proto__: { label: injected }'));
    const sink = (loaded.data as { sinks: { out: Record<string, unknown> } }).sinks.out;
    expect(Object.getPrototypeOf(sink)).toBe(Object.prototype);
    expect(Object.keys(sink)).toContain('__proto__');
    expect(sink.label).toBeUndefined();
  });

  it('treats ${constructor} as an unset variable, not as the inherited Object constructor', () => {
    const { value, issues } = expandEnv({ x: '${constructor}', y: '${toString:-fallback}' }, {});
    expect(value).toEqual({ x: '', y: 'fallback' });
    expect(issues).toEqual([{ path: ['x'], message: 'environment variable constructor is not set (write ${constructor:-default} to give a default)' }]);
  });
});
