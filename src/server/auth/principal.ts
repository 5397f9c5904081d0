import type { AccessRole } from '../../registry/index.js';

/** Who a request is from, once its signature checked out. */
export interface Principal {
  accessKeyId: string;
  role: AccessRole;
  /** Limits the principal to these feature groups (names, compared ignoring case); absent: all. */
  featureGroups?: string[];
}
