import { ConfigError } from '../../../src/core/errors';
import { DIRECTIVES, type Reader, type WallTime } from './directives';

export type { WallTime } from './directives';

/** A reader of one literal character. */
const literal = (code: number): Reader => (text, at) => (text.charCodeAt(at) === code ? at + 1 : -1);

/** A compiled strftime pattern: the parts of `text` it matches, or undefined when it does not match. */
export type WallTimeParser = (text: string) => WallTime | undefined;

/**
 * Compiles a strftime-style pattern (`%d/%b/%Y:%H:%M:%S %z`) into a list of readers that
 * must consume the whole text. Directives: `%Y %y %m %d %e %H %I %p %M %S %f %L %z %Z %b %h
 * %B %a %A %s %n %t %T %F %D %R %%`; any other character matches itself. Numbers are read
 * greedily up to their width (`%Y` four digits, `%m` one or two), without backtracking. An
 * unknown directive is a {@link ConfigError} with its position.
 */
export function compileStrftime(pattern: string): WallTimeParser {
  const readers: Reader[] = [];
  const expand = (format: string): void => {
    for (let i = 0; i < format.length; i++) {
      if (format[i] !== '%') {
        readers.push(literal(format.charCodeAt(i)));
        continue;
      }
      const name = format[++i] ?? '';
      if (name === '%') {
        readers.push(literal(37));
        continue;
      }
      const directive = Object.hasOwn(DIRECTIVES, name) ? DIRECTIVES[name] : undefined;
      if (directive === undefined) throw new ConfigError(`unknown directive "%${name}" at position ${i} of timestamp format ${JSON.stringify(pattern)}`);
      if (typeof directive === 'string') expand(directive);
      else readers.push(directive);
    }
  };
  expand(pattern);
  return (text) => {
    const time: WallTime = { year: undefined, month: 0, day: 1, hour: 0, minute: 0, second: 0, ms: 0, offset: undefined, epoch: undefined, pm: false };
    let at = 0;
    for (let i = 0; i < readers.length && at >= 0; i++) at = readers[i](text, at, time);
    return at === text.length ? time : undefined;
  };
}
