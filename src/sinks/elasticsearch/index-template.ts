import type { LogEvent } from '../../core/event';
import { compilePath, getField, type FieldPath } from '../../core/field-path';
import { PathRenderer } from '../strftime';

/** `{{ field }}` or `{{field.path}}`: a dotted field path between double braces. */
const FIELD = /\{\{\s*([^{}\s]+)\s*\}\}/g;

type Part = { readonly kind: 'date'; readonly renderer: PathRenderer } | { readonly kind: 'field'; readonly path: FieldPath; readonly name: string };

/**
 * An index name template rendered per event: strftime directives (`%Y %m %d %H %M %S %%`,
 * from the event's `timestamp` in UTC, the sink's clock when it has none) and `{{ field }}`
 * parts from the event (`logs-{{ service }}-%Y.%m`). The date parts are rendered by the
 * file sink's {@link PathRenderer}, so both share one strftime and its per-hour cache.
 *
 * Field values are lowercased (Elasticsearch refuses upper case in index names, and a
 * service called `API` should not send its logs to the dead-letter queue); a missing field,
 * or one that is an object or a list, fails that event alone, naming the field.
 */
export class IndexTemplate {
  private readonly parts: readonly Part[];
  /** The one renderer when the template has no `{{ field }}` part (the common case). */
  private readonly dateOnly: PathRenderer | undefined;

  constructor(readonly template: string) {
    const parts: Part[] = [];
    const literal = (text: string): void => {
      if (text.includes('{{') || text.includes('}}')) {
        throw new Error(`index template ${JSON.stringify(template)}: unbalanced or empty {{ }} (write {{ field }} or {{ nested.field }})`);
      }
      if (text !== '') parts.push({ kind: 'date', renderer: new PathRenderer(text) });
    };
    let last = 0;
    for (const match of template.matchAll(FIELD)) {
      literal(template.slice(last, match.index));
      parts.push({ kind: 'field', path: compilePath(match[1]), name: match[1] });
      last = match.index + match[0].length;
    }
    literal(template.slice(last));
    if (parts.length === 0) throw new Error('index template is empty');
    this.parts = parts;
    const only = parts.length === 1 ? parts[0] : undefined;
    this.dateOnly = only?.kind === 'date' ? only.renderer : undefined;
  }

  /** Whether the name depends on anything but the timestamp. */
  get usesFields(): boolean {
    return this.parts.some((part) => part.kind === 'field');
  }

  /** The index of one event; throws (that event fails, permanently) when a field is unusable. */
  render(event: LogEvent, fallbackIso: () => string): string {
    if (this.dateOnly) return this.dateOnly.pathFor(event.timestamp, fallbackIso);
    let name = '';
    for (const part of this.parts) {
      if (part.kind === 'date') {
        name += part.renderer.pathFor(event.timestamp, fallbackIso);
        continue;
      }
      const value = getField(event, part.path);
      if (typeof value === 'string' && value !== '') name += value.toLowerCase();
      else if (typeof value === 'number' || typeof value === 'boolean') name += String(value);
      else throw new Error(`index ${JSON.stringify(this.template)} needs field "${part.name}", which the event ${value === undefined || value === '' ? 'lacks' : 'has as an object or a list'}`);
    }
    return name;
  }
}
