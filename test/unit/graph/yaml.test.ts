import { loadYamlConfig } from '../../../src/config/yaml';
import { ConfigError } from '../../../src/core/errors';
import { validateGraph } from '../../../src/graph/validate';
import { testRegistry } from './fixtures';

const YAML_TEXT = `# a pipeline
sources:
  raw:
    type: counting
    count: \${COUNT:-7}
sinks:
  out:
    type: collect
    inputs: [raw]
    lable: typo
`;

describe('loadYamlConfig', () => {
  it('expands ${VAR:-default} and keeps numbers numbers', () => {
    const loaded = loadYamlConfig('p.yaml', {}, YAML_TEXT);
    expect(loaded.data).toMatchObject({ sources: { raw: { count: 7 } } });
    expect(loadYamlConfig('p.yaml', { COUNT: '42' }, YAML_TEXT).data).toMatchObject({ sources: { raw: { count: 42 } } });
  });

  it('locates a validation issue at the line of the offending option', () => {
    const loaded = loadYamlConfig('p.yaml', {}, YAML_TEXT);
    const { issues } = validateGraph(loaded.data, testRegistry());
    expect(issues).toHaveLength(1);
    const error = loaded.toError(issues[0]);
    expect(error.format()).toMatch(/^p\.yaml:10:5: sinks\.out\.lable: unknown option "lable" \(did you mean "label"\?\)/);
  });

  it('reports an unset variable without default at its line', () => {
    const text = 'sources:\n  raw:\n    type: counting\n    count: ${NOT_SET_ANYWHERE}\n';
    expect(() => loadYamlConfig('v.yaml', {}, text)).toThrow(ConfigError);
    try {
      loadYamlConfig('v.yaml', {}, text);
    } catch (error) {
      expect((error as ConfigError).format()).toMatch(/^v\.yaml:4:5: sources\.raw\.count: environment variable NOT_SET_ANYWHERE is not set/);
    }
  });

  it('reports a YAML syntax error with file and line', () => {
    expect(() => loadYamlConfig('s.yaml', {}, 'sources:\n  raw: [unclosed\n')).toThrow(/YAML syntax error/);
  });

  it('does not let a variable inject YAML structure', () => {
    const loaded = loadYamlConfig('i.yaml', { EVIL: '{a: 1}\nsinks: {}' }, 'sources:\n  raw:\n    type: "${EVIL}"\n');
    expect(loaded.data).toEqual({ sources: { raw: { type: '{a: 1}\nsinks: {}' } } });
  });

  it('turns $$ into a literal dollar sign', () => {
    expect(loadYamlConfig('d.yaml', {}, 'x: "cost $$5"\n').data).toEqual({ x: 'cost $5' });
  });
});
