import type { DeadLetterStore } from '../../dlq/store';
import type { DlqArgs } from './args';
import type { DlqIo } from './io';

/** Longest event preview `list` prints, in characters. */
const PREVIEW_CHARS = 120;

/** Control characters of hostile input would drive the terminal: shown escaped instead. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) [value, unit] = [value / 1024, unit + 1];
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `sluice dlq list`: one entry per two lines (or one JSON line each with --json). */
export async function listCommand(args: DlqArgs, store: DeadLetterStore, io: DlqIo): Promise<number> {
  const page = await store.read({ limit: args.limit, offset: args.offset });
  for (const { entry, position } of page) {
    if (args.json) {
      io.stdout(`${JSON.stringify({ ...entry, segment: position.segment, offset: position.offset })}\n`);
      continue;
    }
    const error = printable(shorten(entry.error, 200));
    io.stdout(`${printable(entry.time)}  ${printable(entry.component)}  attempts=${entry.attempts}  error: ${error}\n`);
    io.stdout(`    ${printable(shorten(JSON.stringify(entry.event), PREVIEW_CHARS))}\n`);
  }
  if (!args.json) {
    const first = page.length === 0 ? 0 : args.offset + 1;
    io.stdout(`${page.length === 0 ? 'no entries' : `entries ${first}-${args.offset + page.length}`} shown (--offset ${args.offset} --limit ${args.limit})\n`);
  }
  return 0;
}

/** `sluice dlq stats`: counts, sizes, time range, components and the most frequent errors. */
export async function statsCommand(args: DlqArgs, store: DeadLetterStore, io: DlqIo): Promise<number> {
  const stats = await store.stats();
  if (args.json) {
    io.stdout(`${JSON.stringify({ path: store.dir, ...stats })}\n`);
    return 0;
  }
  const lines = [
    `path:        ${store.dir}`,
    `entries:     ${stats.entries}`,
    `bytes:       ${formatBytes(stats.bytes)} (${formatBytes(stats.diskBytes)} on disk in ${stats.segments} segment${stats.segments === 1 ? '' : 's'})`,
    `oldest:      ${stats.oldest ?? '-'}`,
    `newest:      ${stats.newest ?? '-'}`,
  ];
  const components = Object.entries(stats.byComponent).sort((a, b) => b[1] - a[1]);
  if (components.length > 0) lines.push(`components:  ${components.map(([id, n]) => `${printable(id)} (${n})`).join(', ')}`);
  if (stats.byError.length > 0) lines.push('top errors:');
  for (const { error, count } of stats.byError.slice(0, 10)) lines.push(`  ${String(count).padStart(9)}  ${printable(shorten(error, 160))}`);
  if (stats.byError.length > 10) lines.push(`  ... and ${stats.byError.length - 10} more distinct errors`);
  if (stats.malformed + stats.torn > 0) lines.push(`skipped:     ${stats.malformed} malformed line(s), ${stats.torn} torn line(s)`);
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

/** `sluice dlq purge`: deletes every entry, only with --yes. */
export async function purgeCommand(args: DlqArgs, store: DeadLetterStore, io: DlqIo): Promise<number> {
  if (!args.yes) {
    const { entries } = await store.stats();
    io.stderr(`sluice dlq purge: this deletes ${entries} entr${entries === 1 ? 'y' : 'ies'} from ${store.dir}; run again with --yes\n`);
    return 2;
  }
  const removed = await store.purge();
  io.stdout(`purged ${removed} entr${removed === 1 ? 'y' : 'ies'} from ${store.dir}\n`);
  return 0;
}
