/** A native codec library, loaded on first use; a failed load is kept as its message. */
export interface NativeLibrary<T> {
  /** The library; throws the load failure, naming the package. */
  get(): T;
  /** Why it failed to load, or undefined when it loaded. */
  failure(): string | undefined;
}

/**
 * Loads `load()` once, on first use. The codec libraries ship their binaries as
 * per-platform optional packages (napi-rs); on a platform with none, only the pipelines
 * that choose that codec fail (at validation, with this message), not every pipeline.
 */
export function nativeLibrary<T>(packageName: string, load: () => T): NativeLibrary<T> {
  let library: T | undefined;
  let error: string | undefined;
  const attempt = (): void => {
    if (library !== undefined || error !== undefined) return;
    try {
      library = load();
    } catch (thrown) {
      const reason = thrown instanceof Error ? thrown.message.split('\n')[0] : String(thrown);
      error = `${packageName} has no native binary for ${process.platform}-${process.arch} here (${reason})`;
    }
  };
  return {
    get() {
      attempt();
      if (library === undefined) throw new Error(error);
      return library;
    },
    failure() {
      attempt();
      return error;
    },
  };
}
