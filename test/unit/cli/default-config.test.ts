import { join } from 'node:path';
import { DEFAULT_CONFIG, packageRoot, parseCliArgs } from '../../../src/cli/args';

describe('sluice run without -c', () => {
  it('runs config/default.yaml and marks it as the default, so run can say which file it runs', () => {
    const args = parseCliArgs(['run']);
    expect(args.defaultConfig).toBe(true);
    // The working directory's own config/default.yaml when there is one (here: the checkout's).
    expect([DEFAULT_CONFIG, join(packageRoot(), DEFAULT_CONFIG)]).toContain(args.config);
  });

  it('does not mark a config given with -c or --config', () => {
    expect(parseCliArgs(['run', '-c', 'mine.yaml'])).toMatchObject({ config: 'mine.yaml', defaultConfig: false });
    expect(parseCliArgs(['validate', '--config', 'config/default.yaml'])).toMatchObject({ defaultConfig: false });
  });
});
