import type { ComponentDefinition, SinkDefinition, SourceDefinition, TransformDefinition } from './define';
import type { ComponentKind } from './context';

type DefinitionOf<K extends ComponentKind> = K extends 'source' ? SourceDefinition : K extends 'sink' ? SinkDefinition : TransformDefinition;

/**
 * The component types a graph may name, by kind. The built-in registry holds sluice's own;
 * a program can register its own components (one line each) before building a graph.
 */
export class ComponentRegistry {
  private readonly byKind: { [K in ComponentKind]: Map<string, DefinitionOf<K>> } = {
    source: new Map(),
    transform: new Map(),
    sink: new Map(),
  };

  /** Adds definitions; a type registered twice for one kind is a programming error. */
  register(...definitions: ComponentDefinition[]): this {
    for (const definition of definitions) {
      const table = this.byKind[definition.kind] as Map<string, ComponentDefinition>;
      if (table.has(definition.type)) throw new Error(`${definition.kind} type "${definition.type}" is already registered`);
      table.set(definition.type, definition);
    }
    return this;
  }

  get<K extends ComponentKind>(kind: K, type: string): DefinitionOf<K> | undefined {
    return this.byKind[kind].get(type) as DefinitionOf<K> | undefined;
  }

  /** Registered type names of one kind, sorted. */
  types(kind: ComponentKind): string[] {
    return [...this.byKind[kind].keys()].sort();
  }

  /** Every definition, sources first, each kind sorted by type. */
  all(): ComponentDefinition[] {
    const kinds: ComponentKind[] = ['source', 'transform', 'sink'];
    return kinds.flatMap((kind) => this.types(kind).map((type) => this.get(kind, type) as ComponentDefinition));
  }
}
