/** The write-ahead log: durable, checksummed, group-committed. */
export { WriteAheadLog, type WriteAheadLogOptions } from './write-ahead-log.js';
export { logId } from './log-id.js';
