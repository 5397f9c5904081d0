import { z } from 'zod';
import { ConflictError, parseOrThrow, ValidationError } from '../../domain/index.js';
import type { TableMetadata } from './table-metadata.js';

/**
 * A commit sent by an Iceberg REST catalog client (`POST .../tables/{table}`): requirements that
 * must hold on the table's current metadata, and updates to apply. Floe's tables take their data
 * through Floe's own write path (the WAL, the online store, the offline buffer), so the updates an
 * outside engine may commit are the table's properties; snapshots, schemas and locations are
 * refused with the reason.
 */

const snapshotId = z.union([z.number().int(), z.bigint()]).transform((v) => BigInt(v));

const requirement = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assert-create') }),
  z.object({ type: z.literal('assert-table-uuid'), uuid: z.string() }),
  z.object({ type: z.literal('assert-ref-snapshot-id'), ref: z.string(), 'snapshot-id': snapshotId.nullable() }),
  z.object({ type: z.literal('assert-last-assigned-field-id'), 'last-assigned-field-id': z.number().int() }),
  z.object({ type: z.literal('assert-current-schema-id'), 'current-schema-id': z.number().int() }),
  z.object({ type: z.literal('assert-last-assigned-partition-id'), 'last-assigned-partition-id': z.number().int() }),
  z.object({ type: z.literal('assert-default-spec-id'), 'default-spec-id': z.number().int() }),
  z.object({ type: z.literal('assert-default-sort-order-id'), 'default-sort-order-id': z.number().int() }),
]);

const update = z.object({ action: z.string() }).passthrough();

export const tableCommitRequestSchema = z.object({
  identifier: z.object({ namespace: z.array(z.string()), name: z.string() }).optional(),
  requirements: z.array(requirement).default([]),
  updates: z.array(update).default([]),
});

export type TableRequirement = z.output<typeof requirement>;

/** Property changes: the only updates Floe takes from outside engines. */
export interface PropertyChanges {
  set: Record<string, string>;
  remove: string[];
}

const setProperties = z.object({ action: z.literal('set-properties'), updates: z.record(z.string(), z.string()) });
const removeProperties = z.object({ action: z.literal('remove-properties'), removals: z.array(z.string()) });

/** Parses a commit body (already JSON with 64-bit ids as bigint) into requirements and property changes. */
export function parseTableCommit(body: unknown): { requirements: TableRequirement[]; changes: PropertyChanges } {
  const request = parseOrThrow(tableCommitRequestSchema, body);
  const changes: PropertyChanges = { set: {}, remove: [] };
  request.updates.forEach((u, i) => {
    if (u.action === 'set-properties') Object.assign(changes.set, parseOrThrow(setProperties, u).updates);
    else if (u.action === 'remove-properties') changes.remove.push(...parseOrThrow(removeProperties, u).removals);
    else {
      throw new ValidationError(
        `updates[${i}].action: '${u.action}' is not accepted through the catalog: a feature group's table takes its data, ` +
          `schema and snapshots from Floe itself (put, ingest, add features, optimize, vacuum); only set-properties and remove-properties are`,
        { field: `updates[${i}].action` },
      );
    }
  });
  return { requirements: request.requirements, changes };
}

function failed(what: string): never {
  throw new ConflictError(`requirement failed: ${what}`, { field: 'requirements' });
}

/** Throws a ConflictError (Iceberg's CommitFailedException) naming the first requirement the metadata does not meet. */
export function checkRequirements(requirements: readonly TableRequirement[], meta: TableMetadata): void {
  for (const r of requirements) {
    switch (r.type) {
      case 'assert-create':
        failed('assert-create: the table already exists');
        break;
      case 'assert-table-uuid':
        if (r.uuid !== meta['table-uuid']) failed(`assert-table-uuid: expected ${r.uuid}, the table is ${meta['table-uuid']}`);
        break;
      case 'assert-ref-snapshot-id': {
        const current = meta.refs[r.ref]?.['snapshot-id'] ?? (r.ref === 'main' ? meta['current-snapshot-id'] : undefined);
        const expected = r['snapshot-id'];
        if ((expected ?? undefined) !== current) {
          failed(`assert-ref-snapshot-id: ref '${r.ref}' was expected at ${expected ?? 'no snapshot'}, it is at ${current ?? 'no snapshot'}`);
        }
        break;
      }
      case 'assert-last-assigned-field-id':
        if (r['last-assigned-field-id'] !== meta['last-column-id']) failed(`assert-last-assigned-field-id: expected ${r['last-assigned-field-id']}, it is ${meta['last-column-id']}`);
        break;
      case 'assert-current-schema-id':
        if (r['current-schema-id'] !== meta['current-schema-id']) failed(`assert-current-schema-id: expected ${r['current-schema-id']}, it is ${meta['current-schema-id']}`);
        break;
      case 'assert-last-assigned-partition-id':
        if (r['last-assigned-partition-id'] !== meta['last-partition-id']) failed(`assert-last-assigned-partition-id: expected ${r['last-assigned-partition-id']}, it is ${meta['last-partition-id']}`);
        break;
      case 'assert-default-spec-id':
        if (r['default-spec-id'] !== meta['default-spec-id']) failed(`assert-default-spec-id: expected ${r['default-spec-id']}, it is ${meta['default-spec-id']}`);
        break;
      case 'assert-default-sort-order-id':
        if (r['default-sort-order-id'] !== meta['default-sort-order-id']) failed(`assert-default-sort-order-id: expected ${r['default-sort-order-id']}, it is ${meta['default-sort-order-id']}`);
        break;
    }
  }
}
