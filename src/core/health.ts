/** Where a component stands: `/ready` answers 200 only while every component is `ready`. */
export type ComponentState = 'starting' | 'ready' | 'down';

/** One component's readiness as `/ready` reports it. */
export interface ComponentStatus {
  readonly id: string;
  readonly state: ComponentState;
  /** Why it is not ready (the OS error of a failed bind, an unreachable server). */
  readonly reason?: string;
}

/**
 * A component's handle on its readiness. Components are `ready` unless they say otherwise:
 * one that must reach something first (bind a socket, connect to a broker) calls
 * `starting()` when it is created and `ready()` once it got there; `down(error)` whenever it
 * loses it (the server went away) and `ready()` again when it is back.
 */
export interface ComponentHealth {
  starting(): void;
  ready(): void;
  down(reason: Error | string): void;
}

/**
 * The readiness of every component of one pipeline, by id. The API's `/ready` reads it:
 * a pipeline is ready only while it runs and no component is starting or down, and the
 * answer names those that are not.
 */
export class HealthBoard {
  private readonly states = new Map<string, ComponentStatus>();

  /** The health handle of component `id`, registered as ready. */
  register(id: string): ComponentHealth {
    const set = (state: ComponentState, reason?: string): void => void this.states.set(id, reason === undefined ? { id, state } : { id, state, reason });
    set('ready');
    return {
      starting: () => set('starting'),
      ready: () => set('ready'),
      down: (reason) => set('down', typeof reason === 'string' ? reason : reason.message),
    };
  }

  /** Components that are starting or down, in registration order. */
  notReady(): ComponentStatus[] {
    return [...this.states.values()].filter((status) => status.state !== 'ready');
  }

  /** The status of component `id`, if registered. */
  get(id: string): ComponentStatus | undefined {
    return this.states.get(id);
  }
}
