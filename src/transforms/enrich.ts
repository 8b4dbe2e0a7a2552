import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { extname } from 'node:path';
import { boolean, bytes, json, object, oneOf, optional, record, string, type SchemaIssue } from '../config/schema';
import { defineTransform } from '../components/define';
import { ConfigError } from '../core/errors';
import type { JsonValue } from '../core/event';
import { enrich, type LookupJoin } from '../../operators/transform/enrich';
import { parseLookupTable } from '../../operators/transform/lookup-table';

const lookupShape = object(
  {
    path: string({ description: 'The table file, read once when the pipeline starts.', example: '/etc/sluice/users.csv' }),
    format: oneOf(['auto', 'csv', 'json'] as const, {
      description: '`csv` (a header row names the columns; cells are strings), `json` (an array of row objects, or an object of rows by key); `auto` goes by the file extension.',
      default: 'auto',
      example: 'csv',
    }),
    key_field: string({ description: 'Dotted path of the event field holding the key to look up.', example: 'user.id' }),
    key_column: string({ description: 'The table column holding the key (ignored for a JSON object of rows).', default: 'key', example: 'id' }),
    target: optional(string({ description: 'Dotted path to put the matching row under; by default its columns become root fields.', example: 'user' })),
    max_bytes: bytes({ description: 'Largest table file accepted: the table is held in memory.', default: 64 * 1024 * 1024, example: '8MiB', min: 1 }),
  },
  { description: 'A table joined to every event by key: the row whose key equals the event field is added.', optional: true },
);

/** The shape shared by `enrich` and its alias `add_fields`. */
export const enrichOptions = {
  fields: record(json({ description: 'The value to set (any JSON value).' }), {
    description: 'Dotted field path → static value. `${VAR}` inside a value is expanded by the config loader.',
    default: {},
    example: { environment: 'production', 'service.team': 'payments' },
  }),
  env: record(string({ description: 'The environment variable name.' }), {
    description: 'Dotted field path → name of an environment variable whose value (read once at start) is set. An unset variable is a config error.',
    default: {},
    example: { region: 'AWS_REGION' },
  }),
  hostname_field: optional(string({ description: "Dotted field path to set to this machine's host name.", example: 'host' })),
  lookup: optional(lookupShape),
  overwrite: boolean({ description: 'Replace fields the event already has; by default only missing fields are set.', default: false, example: true }),
};

type LookupConfig = NonNullable<ReturnType<typeof lookupShape.parse>>;

/** Reads and parses the lookup table, bounded by `max_bytes`; every problem is a ConfigError at `lookup`. */
function loadTable(lookup: LookupConfig): LookupJoin {
  const format = lookup.format === 'auto' ? (extname(lookup.path).toLowerCase() === '.json' ? 'json' : extname(lookup.path).toLowerCase() === '.csv' ? 'csv' : undefined) : lookup.format;
  if (format === undefined) throw new ConfigError(`lookup.format: cannot tell the format of ${lookup.path} from its extension; set csv or json`, { path: 'lookup.format' });
  let text: string;
  try {
    const size = statSync(lookup.path).size;
    if (size > lookup.max_bytes) throw new Error(`${size} bytes is over max_bytes (${lookup.max_bytes})`);
    text = readFileSync(lookup.path, 'utf8');
  } catch (error) {
    throw new ConfigError(`lookup.path: cannot read ${lookup.path}: ${(error as Error).message}`, { path: 'lookup.path' });
  }
  return { table: parseLookupTable(text, format, lookup.key_column, 'lookup.path'), keyField: lookup.key_field, target: lookup.target };
}

/** The static values to set: `fields`, then environment variables, then the host name. */
function staticValues(config: { fields: Record<string, JsonValue>; env: Record<string, string>; hostname_field?: string }): Record<string, JsonValue> {
  const values: Record<string, JsonValue> = { ...config.fields };
  for (const [field, variable] of Object.entries(config.env)) {
    const value = process.env[variable];
    if (value === undefined) throw new ConfigError(`env.${field}: environment variable ${variable} is not set`, { path: `env.${field}` });
    values[field] = value;
  }
  if (config.hostname_field !== undefined) values[config.hostname_field] = hostname();
  return values;
}

/** Problems found before start: nothing to add, an unset variable, an unreadable or malformed table. */
function checkEnrich(config: Parameters<typeof staticValues>[0] & { lookup?: LookupConfig }): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const nothing = Object.keys(config.fields).length === 0 && Object.keys(config.env).length === 0 && config.hostname_field === undefined && config.lookup === undefined;
  if (nothing) issues.push({ path: [], message: 'nothing to add: set at least one of fields, env, hostname_field, lookup' });
  const attempt = (work: () => unknown): void => {
    try {
      work();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues.push({ path: (error.location?.path ?? '').split('.').filter(Boolean), message: error.message.replace(/^[^:]*: /, '') });
    }
  };
  // Located by hand: the field is a dotted path, one key of `env`, not a nesting of options.
  for (const [field, variable] of Object.entries(config.env)) {
    if (process.env[variable] === undefined) issues.push({ path: ['env', field], message: `environment variable ${variable} is not set` });
  }
  if (config.lookup !== undefined) attempt(() => loadTable(config.lookup as LookupConfig));
  return issues;
}

/** The `enrich` transform: adds static fields, environment variables, the host name and lookup-table columns. */
export const enrichTransform = defineTransform({
  type: 'enrich',
  summary: 'Adds fields to every event: static values, environment variables, the host name, and columns joined from a CSV or JSON lookup table.',
  options: enrichOptions,
  example: { fields: { environment: 'production' } },
  check: checkEnrich,
  create(config, ctx) {
    const lookup = config.lookup === undefined ? undefined : loadTable(config.lookup);
    return enrich(staticValues(config), { overwrite: config.overwrite, lookup }, { ...ctx.hooks, onLookupMiss: (count) => ctx.metrics.error('lookup_miss', count) });
  },
});
