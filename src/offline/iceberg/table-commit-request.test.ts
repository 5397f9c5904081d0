import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../domain/index.js';
import { checkRequirements, parseTableCommit } from './table-commit-request.js';
import type { TableMetadata } from './table-metadata.js';

const BIG = 9007199254740993n; // beyond 2^53: must be compared exactly

const meta = {
  'format-version': 2,
  'table-uuid': 'a-uuid',
  location: 'file:///w/t',
  'last-sequence-number': 1,
  'last-updated-ms': 0,
  'last-column-id': 7,
  schemas: [],
  'current-schema-id': 1,
  'partition-specs': [],
  'default-spec-id': 0,
  'last-partition-id': 999,
  'sort-orders': [],
  'default-sort-order-id': 0,
  properties: {},
  'current-snapshot-id': BIG,
  snapshots: [],
  'snapshot-log': [],
  'metadata-log': [],
  refs: { main: { 'snapshot-id': BIG, type: 'branch' } },
} satisfies TableMetadata;

const check = (requirements: unknown[]) => () => checkRequirements(parseTableCommit({ requirements }).requirements, meta);

describe('Iceberg REST commit requests', () => {
  it('passes requirements that hold, comparing 64-bit snapshot ids exactly', () => {
    expect(
      check([
        { type: 'assert-table-uuid', uuid: 'a-uuid' },
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': BIG },
        { type: 'assert-ref-snapshot-id', ref: 'audit', 'snapshot-id': null },
        { type: 'assert-current-schema-id', 'current-schema-id': 1 },
        { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 7 },
        { type: 'assert-default-spec-id', 'default-spec-id': 0 },
        { type: 'assert-default-sort-order-id', 'default-sort-order-id': 0 },
        { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 999 },
      ]),
    ).not.toThrow();
  });

  it('fails a commit on the first requirement that does not hold, naming it', () => {
    expect(check([{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': BIG - 1n }])).toThrow(ConflictError);
    expect(check([{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }])).toThrow(/ref 'main' was expected at no snapshot/);
    expect(check([{ type: 'assert-create' }])).toThrow(/already exists/);
    expect(check([{ type: 'assert-table-uuid', uuid: 'other' }])).toThrow(/assert-table-uuid: expected other/);
    expect(check([{ type: 'assert-current-schema-id', 'current-schema-id': 2 }])).toThrow(/assert-current-schema-id/);
  });

  it('takes property updates and refuses every other update and malformed requirement', () => {
    const { changes } = parseTableCommit({
      updates: [
        { action: 'set-properties', updates: { a: '1', b: '2' } },
        { action: 'remove-properties', removals: ['c'] },
      ],
    });
    expect(changes).toEqual({ set: { a: '1', b: '2' }, remove: ['c'] });
    expect(() => parseTableCommit({ updates: [{ action: 'add-snapshot', snapshot: {} }] })).toThrow(/updates\[0\]\.action: 'add-snapshot' is not accepted/);
    expect(() => parseTableCommit({ updates: [{ action: 'set-properties', updates: { a: 1 } }] })).toThrow(ValidationError);
    expect(() => parseTableCommit({ requirements: [{ type: 'assert-nothing' }] })).toThrow(/requirements\[0\]/);
  });
});
