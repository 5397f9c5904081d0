import { AccessDeniedError, featureGroupNameFromArn } from '../../domain/index.js';
import type { AccessRole } from '../../registry/index.js';
import type { Principal } from './principal.js';

/** What an operation needs: `read` (reader and up), `write` (writer and up) or `admin`. */
export type Permission = 'read' | 'write' | 'admin';

const GRANTS: Record<AccessRole, readonly Permission[]> = {
  admin: ['read', 'write', 'admin'],
  writer: ['read', 'write'],
  reader: ['read'],
};

/**
 * Refuses with AccessDeniedError (403, AccessForbidden) when the principal's role lacks the
 * permission, or when it is limited to named feature groups and one of `groups` is not among them.
 */
export function authorize(principal: Principal, operation: string, permission: Permission, groups: readonly string[] = []): void {
  if (!GRANTS[principal.role].includes(permission)) {
    throw new AccessDeniedError(`${operation}: access key '${principal.accessKeyId}' has role ${principal.role}, which may not call ${operation}`);
  }
  for (const group of groups) {
    if (!mayUseGroup(principal, group)) {
      throw new AccessDeniedError(
        `FeatureGroupName: access key '${principal.accessKeyId}' is limited to feature groups ${principal.featureGroups!.join(', ')}, not '${featureGroupNameFromArn(group)}'`,
        { field: 'FeatureGroupName' },
      );
    }
  }
}

/** Whether the principal may see or touch a feature group (given by name or ARN). */
export function mayUseGroup(principal: Principal, nameOrArn: string): boolean {
  if (principal.featureGroups === undefined) return true;
  const name = featureGroupNameFromArn(nameOrArn).toLowerCase();
  return principal.featureGroups.some((allowed) => allowed.toLowerCase() === name);
}
