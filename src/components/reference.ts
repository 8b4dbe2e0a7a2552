import type { OptionDoc } from '../config/schema';
import type { ComponentDefinition } from './define';
import { fullShape } from './shapes';
import type { ComponentRegistry } from './registry';

const escape = (text: string): string => text.replace(/\|/g, '\\|');
const cell = (value: unknown): string => (value === undefined ? '' : escape(`\`${JSON.stringify(value)}\``));

function optionRows(fields: Readonly<Record<string, OptionDoc>>, prefix = ''): string[] {
  const rows: string[] = [];
  for (const [name, doc] of Object.entries(fields)) {
    const required = doc.required ? ' **required**' : '';
    const limits = doc.limits ? ` (${doc.limits})` : '';
    rows.push(`| \`${prefix}${name}\` | ${escape(doc.type)} | ${escape(doc.description)}${required}${limits} | ${cell(doc.default)} |`);
    if (doc.fields) rows.push(...optionRows(doc.fields, `${prefix}${name}.`));
  }
  return rows;
}

/** One component's reference: summary, option table, minimal example. */
export function renderComponent(definition: ComponentDefinition): string {
  const fields: Record<string, OptionDoc> = {};
  for (const [name, option] of Object.entries(fullShape(definition))) fields[name] = option.doc;
  const example = Object.entries(definition.example)
    .map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`)
    .join('\n');
  const inputs = definition.kind === 'source' ? '' : '    inputs: [upstream]\n';
  return [
    `### \`${definition.type}\` (${definition.kind})`,
    '',
    definition.summary,
    '',
    '| option | type | description | default |',
    '| --- | --- | --- | --- |',
    ...optionRows(fields),
    '',
    '```yaml',
    `${definition.kind}s:`,
    `  my_${definition.type}:`,
    `    type: ${definition.type}`,
    `${inputs}${example}`.replace(/\n$/, ''),
    '```',
    '',
  ].join('\n');
}

/**
 * The component reference, generated from the schemas (the schema is the documentation).
 * `sluice docs` prints it; a test keeps README.md's copy in step.
 */
export function renderReference(registry: ComponentRegistry): string {
  return registry.all().map(renderComponent).join('\n');
}
