import { fileSource } from '../../../../src/sources/file/source';
import { configIssues, parseConfig } from '../../../helpers/context';

describe('file source options', () => {
  it('validates its example and applies the documented defaults', () => {
    expect(configIssues(fileSource, fileSource.example)).toEqual([]);
    expect(parseConfig(fileSource, fileSource.example)).toMatchObject({
      read_from: 'beginning',
      scan_interval: 1000,
      eof_timeout: 2000,
      fingerprint_bytes: 1024,
      max_open_files: 1024,
      max_line_bytes: 1024 * 1024,
      line_too_long: 'truncate',
      exclude: [],
    });
  });

  it('needs at least one include glob', () => {
    expect(configIssues(fileSource, { include: [] }).join('\n')).toContain('include');
  });

  it('says which multiline pattern is missing or not a regular expression', () => {
    const problems = (multiline: Record<string, unknown>): string[] =>
      (fileSource.check?.(parseConfig(fileSource, { include: ['/x/*.log'], multiline })) ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(problems({ mode: 'start_pattern' })).toEqual(['multiline.pattern: mode start_pattern needs a pattern']);
    expect(problems({ mode: 'continuation_pattern', pattern: '([' })[0]).toMatch(/^multiline\.pattern: not a regular expression/);
    expect(problems({})).toEqual([]); // continuation_whitespace needs none
  });

  it('takes sizes and durations with units', () => {
    expect(parseConfig(fileSource, { include: ['/x/*.log'], max_line_bytes: '64KiB', eof_timeout: '5s', ignore_older_than: '1d' })).toMatchObject({ max_line_bytes: 65536, eof_timeout: 5000, ignore_older_than: 86_400_000 });
  });
});
