import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { glob } from 'tinyglobby';

/** One regular file found by a scan: the path it was found at and what `stat` (through symlinks) says. */
export interface FoundFile {
  readonly path: string;
  /** `dev:ino`. */
  readonly place: string;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Finds the files `include` matches and `exclude` does not (tinyglobby: `*`, `**`, `{a,b}`,
 * `[...]`), following symlinks and reporting each by the path it was matched at (a
 * Kubernetes `/var/log/containers/*.log` symlink keeps its informative name) and by the
 * place of the file it leads to. A file reached by two paths (a symlink and its target both
 * matched) is reported once, at the first; a file that vanishes between the match and the
 * stat is skipped (the next scan sees the truth).
 */
export async function scanFiles(include: readonly string[], exclude: readonly string[]): Promise<FoundFile[]> {
  // One crawl per pattern, from its static base: from the working directory, tinyglobby walks far more than the pattern can match.
  const lists = await Promise.all(
    include.map((pattern) =>
      glob([resolve(pattern)], { cwd: patternBase(pattern), ignore: [...exclude], absolute: true, onlyFiles: true, followSymbolicLinks: true, dot: true, expandDirectories: false }).catch(() => []),
    ),
  );
  const paths = [...new Set(lists.flat())].sort();
  const stats = await Promise.all(paths.map((path) => stat(path, { bigint: true }).catch(() => undefined)));
  const found: FoundFile[] = [];
  const places = new Set<string>();
  for (let i = 0; i < paths.length; i++) {
    const stats_ = stats[i];
    if (stats_ === undefined || !stats_.isFile()) continue;
    const place = `${stats_.dev}:${stats_.ino}`;
    if (places.has(place)) continue;
    places.add(place);
    found.push({ path: paths[i], place, ino: Number(stats_.ino), size: Number(stats_.size), mtimeMs: Number(stats_.mtimeMs) });
  }
  return found;
}

const GLOB_CHARACTER = /[*?[\]{}()!+@]/;

/** The directory a pattern's matches all live under: its segments before the first glob character. */
export function patternBase(pattern: string): string {
  const segments = resolve(pattern).split('/');
  const index = segments.findIndex((segment) => GLOB_CHARACTER.test(segment));
  if (index < 0) return dirname(segments.join('/'));
  return segments.slice(0, index).join('/') || '/';
}
