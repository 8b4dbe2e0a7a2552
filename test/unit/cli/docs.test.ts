import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withReference } from '../../../src/cli/docs';
import { builtinRegistry } from '../../../src/components/builtins';
import { renderReference } from '../../../src/components/reference';

describe('sluice docs', () => {
  it('keeps the README component reference identical to what the schemas generate (run `npm run docs`)', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    expect(withReference(readme, renderReference(builtinRegistry()))).toBe(readme);
  });

  it('documents every option of every registered component with a description', () => {
    const reference = renderReference(builtinRegistry());
    for (const definition of builtinRegistry().all()) {
      expect(reference).toContain(`### \`${definition.type}\` (${definition.kind})`);
      for (const name of Object.keys(definition.options)) expect(reference).toContain(`| \`${name}\` |`);
    }
    expect(reference).not.toMatch(/\| \| /);
  });

  it('refuses to update a file without the reference markers', () => {
    expect(withReference('# no markers here\n', 'x')).toBeUndefined();
  });
});
