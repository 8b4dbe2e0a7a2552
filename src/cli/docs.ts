import { builtinRegistry } from '../components/builtins';
import { renderReference } from '../components/reference';
import type { CliIo } from './load';

/** `sluice docs`: the component reference, generated from the option schemas. */
export function docsCommand(_args: unknown, io: CliIo): number {
  io.stdout(renderReference(builtinRegistry()));
  return 0;
}
