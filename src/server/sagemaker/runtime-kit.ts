/** What the runtime's routes share: their config, the group a path names, the role check, query parameters, write options. */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { featureGroupNameFromArn, ValidationError, type TtlDuration } from '../../domain/index.js';
import type { TargetStore } from '../../records/write-entry.js';
import { authorize, type Permission } from '../auth/authorize.js';

/** A runtime route's config: REST-JSON errors, and the operation it serves. */
export const restJson = (operation: string) => ({ config: { protocol: 'rest-json' as const, operation } });

/** The feature group of a `/FeatureGroup/{FeatureGroupName}` path: a name or an ARN. */
export const groupOf = (request: FastifyRequest) => featureGroupNameFromArn((request.params as { FeatureGroupName: string }).FeatureGroupName);

/** The caller's role allows `permission` on these groups (AccessForbidden otherwise). */
export const guard = (request: FastifyRequest, permission: Permission, groups: string[]) => authorize(request.principal!, request.operation, permission, groups);

/** A query parameter that may appear once; repeated where the API says one value is a client error. */
export function single(query: Record<string, unknown>, name: string, required: true): string;
export function single(query: Record<string, unknown>, name: string, required?: false): string | undefined;
export function single(query: Record<string, unknown>, name: string, required = false): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new ValidationError(`${name}: give one value, not ${value.length}`, { field: name });
  if (value === undefined || value === '') {
    if (required) throw new ValidationError(`${name}: the query parameter is required`, { field: name });
    return undefined;
  }
  return String(value);
}

/** A query parameter that may repeat (FeatureName, TargetStores), as a list. */
export function list(query: Record<string, unknown>, name: string): string[] | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** TtlDuration as the wire sends it; its values are checked where the TTL is applied. */
export const ttlSchema = z.object({ Unit: z.unknown(), Value: z.unknown() }, { error: 'must be an object with Unit and Value' });
export const targetStoresSchema = z.array(z.string({ error: 'must be a string' }), { error: 'must be a list' });

/** A wire TtlDuration as the SDK's option. */
export function ttl(wire: { Unit: unknown; Value: unknown } | undefined): { ttlDuration?: TtlDuration } {
  return wire === undefined ? {} : { ttlDuration: { unit: wire.Unit, value: wire.Value } as TtlDuration };
}

/** Wire TargetStores as the SDK's option (checked where the write is prepared). */
export function targets(wire: string[] | undefined): { targetStores?: TargetStore[] } {
  return wire === undefined ? {} : { targetStores: wire as TargetStore[] };
}
