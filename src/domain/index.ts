/** The domain: feature groups, records, values and errors. Pure: no I/O. */
export * from './errors.js';
export * from './feature-group.js';
export * from './feature-group-schema.js';
export * from './feature-value.js';
export * from './event-time.js';
export * from './record.js';
export * from './arn.js';
export { parseOrThrow, formatPath } from './validation.js';
export { stringifyTagged, parseTagged } from './tagged-json.js';
