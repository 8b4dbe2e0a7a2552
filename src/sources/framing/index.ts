/** Framing: how a byte stream becomes events. One framer per file; see {@link Framer}. */
export { utf8Boundary, type Framer, type FramerFactory, type FramingErrorCounter } from './framer';
export { multiline, MultilineFramer, type MultilineOptions, type MultilineRule } from './multiline';
export { LineFramer, newlineFraming, type NewlineFramingOptions } from './newline';
export { octetCounting, OctetCountingFramer, type OctetCountingOptions } from './octet-counting';
