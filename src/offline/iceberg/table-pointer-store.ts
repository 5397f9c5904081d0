import type { Registry } from '../../registry/registry.js';

/** The atomic commit point of a table: exactly the registry's pointer methods. */
export type TablePointerStore = Pick<Registry, 'getTablePointer' | 'swapTablePointer'>;
