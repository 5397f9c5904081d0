/**
 * The one rule table of who may do what, checked by both authorization matrices (the SageMaker
 * API in test/attacks/auth-matrix.test.ts and the native API in
 * test/attacks/native-auth-matrix.test.ts). It is written out here, not imported from
 * src/server/auth/authorize.ts, so a change to the server's grants fails both matrices until it is
 * made here too, on purpose.
 */
export type KeyRole = 'admin' | 'writer' | 'reader';
export type Permission = 'read' | 'write' | 'admin';

export const GRANTS: Record<KeyRole, readonly Permission[]> = {
  admin: ['read', 'write', 'admin'],
  writer: ['read', 'write'],
  reader: ['read'],
};

/** Whether a key of this role may call an operation needing `permission` (`authenticated`: any valid key). */
export function roleMay(role: KeyRole, permission: Permission | 'authenticated'): boolean {
  return permission === 'authenticated' || GRANTS[role].includes(permission);
}
