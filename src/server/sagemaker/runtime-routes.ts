import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { featureGroupNameFromArn, parseOrThrow, ValidationError, type TtlDuration } from '../../domain/index.js';
import type { BatchWriteEntry } from '../../records/record-service.js';
import type { TargetStore } from '../../records/write-entry.js';
import type { FeatureStore } from '../../sdk/index.js';
import { authorize, type Permission } from '../auth/authorize.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { fromWireRecord, wireRecordJson, wireRecordSchema } from './record-values.js';
import { parseJsonBody } from './wire-json.js';

/**
 * The SageMaker Feature Store runtime (REST-JSON), exactly as
 * `@aws-sdk/client-sagemaker-featurestore-runtime` calls it. A translator: wire shapes in,
 * the SDK's record calls, wire shapes out.
 */
export interface RuntimeRoutesOptions {
  store: FeatureStore;
  metrics: ServerMetrics;
}

export const BATCH_GET_LIMITS = { identifiers: 100, recordsPerIdentifier: 100 } as const;
export const BATCH_WRITE_LIMIT = 25;

const ttlSchema = z.object({ Unit: z.unknown(), Value: z.unknown() }, { error: 'must be an object with Unit and Value' });
const targetStoresSchema = z.array(z.string({ error: 'must be a string' }), { error: 'must be a list' });
const expirationSchema = z.enum(['Enabled', 'Disabled'], { error: 'must be Enabled or Disabled' });
const optionalExpirationSchema = expirationSchema.optional();

const putSchema = z.object({ Record: z.unknown(), TargetStores: targetStoresSchema.optional(), TtlDuration: ttlSchema.optional() });
const updateSchema = z.object({
  RecordIdentifierValueAsString: z.string({ error: 'is required and must be a string' }),
  Features: z.unknown(),
  TargetStores: targetStoresSchema.optional(),
  TtlDuration: ttlSchema.optional(),
});
const listSchema = z.object({
  MaxResults: z.number({ error: 'must be a number' }).optional(),
  NextToken: z.string({ error: 'must be a string' }).optional(),
  IncludeSoftDeletedRecords: z.boolean({ error: 'must be true or false' }).optional(),
});
const batchGetSchema = z.object({
  Identifiers: z
    .array(
      z.object({
        FeatureGroupName: z.string({ error: 'is required and must be a string' }).min(1, 'must not be empty'),
        RecordIdentifiersValueAsString: z
          .array(z.string({ error: 'must be a string' }), { error: 'is required and must be a list' })
          .min(1, 'must hold at least one identifier')
          .max(BATCH_GET_LIMITS.recordsPerIdentifier, `must hold at most ${BATCH_GET_LIMITS.recordsPerIdentifier} identifiers`),
        FeatureNames: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list' }).optional(),
      }),
      { error: 'is required and must be a list' },
    )
    .min(1, 'must hold at least one entry')
    .max(BATCH_GET_LIMITS.identifiers, `must hold at most ${BATCH_GET_LIMITS.identifiers} entries`),
  ExpirationTimeResponse: expirationSchema.optional(),
});
const batchWriteEntrySchema = z.object({
  FeatureGroupName: z.string({ error: 'is required and must be a string' }).min(1, 'must not be empty'),
  Record: wireRecordSchema,
  TargetStores: targetStoresSchema.optional(),
  TtlDuration: ttlSchema.optional(),
});
const batchWriteSchema = z.object({
  Entries: z
    .array(batchWriteEntrySchema, { error: 'is required and must be a list' })
    .min(1, 'must hold at least one entry')
    .max(BATCH_WRITE_LIMIT, `must hold at most ${BATCH_WRITE_LIMIT} entries`),
  TtlDuration: ttlSchema.optional(),
});

type WireEntry = z.output<typeof batchWriteEntrySchema>;

function ttl(wire: { Unit: unknown; Value: unknown } | undefined): { ttlDuration?: TtlDuration } {
  return wire === undefined ? {} : { ttlDuration: { unit: wire.Unit, value: wire.Value } as TtlDuration };
}

function targets(wire: string[] | undefined): { targetStores?: TargetStore[] } {
  return wire === undefined ? {} : { targetStores: wire as TargetStore[] };
}

/** A query parameter that may appear once; repeated where the API says one value is a client error. */
function single(query: Record<string, unknown>, name: string, required: true): string;
function single(query: Record<string, unknown>, name: string, required?: false): string | undefined;
function single(query: Record<string, unknown>, name: string, required = false): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new ValidationError(`${name}: give one value, not ${value.length}`, { field: name });
  if (value === undefined || value === '') {
    if (required) throw new ValidationError(`${name}: the query parameter is required`, { field: name });
    return undefined;
  }
  return String(value);
}

function list(query: Record<string, unknown>, name: string): string[] | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

export async function sagemakerRuntimeRoutes(app: FastifyInstance, { store, metrics }: RuntimeRoutesOptions): Promise<void> {
  const groupOf = (request: FastifyRequest) => featureGroupNameFromArn((request.params as { FeatureGroupName: string }).FeatureGroupName);
  const guard = (request: FastifyRequest, permission: Permission, groups: string[]) =>
    authorize(request.principal!, request.operation, permission, groups);
  const config = (operation: string) => ({ config: { protocol: 'rest-json' as const, operation } });

  app.put('/FeatureGroup/:FeatureGroupName', config('PutRecord'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'write', [group]);
    const input = parseOrThrow(putSchema, parseJsonBody(request.body));
    const record = fromWireRecord(input.Record, 'Record');
    await store.featureGroup(group).putRecord(record, { ...targets(input.TargetStores), ...ttl(input.TtlDuration) });
    return reply.type('application/json').send('{}');
  });

  app.get('/FeatureGroup/:FeatureGroupName', config('GetRecord'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'read', [group]);
    const query = request.query as Record<string, unknown>;
    const recordId = single(query, 'RecordIdentifierValueAsString', true);
    const featureNames = list(query, 'FeatureName');
    const expiration = parseOrThrow(optionalExpirationSchema, single(query, 'ExpirationTimeResponse'), 'ExpirationTimeResponse');
    const found = await store.featureGroup(group).getRecord(recordId, {
      ...(featureNames ? { featureNames } : {}),
      expirationTimeResponse: 'Enabled',
    });
    metrics.observeOnlineLookups(found ? 1 : 0, found ? 0 : 1);
    if (!found) return reply.type('application/json').send('{}');
    const expiresAt = expiration === 'Enabled' && found.expiresAt !== undefined ? `,"ExpiresAt":${JSON.stringify(found.expiresAt)}` : '';
    return reply.type('application/json').send(`{"Record":${wireRecordJson(found.record)}${expiresAt}}`);
  });

  app.delete('/FeatureGroup/:FeatureGroupName', config('DeleteRecord'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'write', [group]);
    const query = request.query as Record<string, unknown>;
    const recordId = single(query, 'RecordIdentifierValueAsString', true);
    const eventTime = single(query, 'EventTime', true);
    const deletionMode = single(query, 'DeletionMode');
    await store.featureGroup(group).deleteRecord(recordId, eventTime, {
      ...targets(list(query, 'TargetStores')),
      ...(deletionMode ? { deletionMode: deletionMode as 'SoftDelete' | 'HardDelete' } : {}),
    });
    return reply.type('application/json').send('{}');
  });

  app.post('/FeatureGroup/:FeatureGroupName/Record', config('UpdateRecord'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'write', [group]);
    const input = parseOrThrow(updateSchema, parseJsonBody(request.body));
    const features = fromWireRecord(input.Features, 'Features');
    await store.featureGroup(group).updateRecord(input.RecordIdentifierValueAsString, features, {
      ...targets(input.TargetStores),
      ...ttl(input.TtlDuration),
    });
    return reply.type('application/json').send('{}');
  });

  app.post('/FeatureGroup/:FeatureGroupName/ListRecords', config('ListRecords'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'read', [group]);
    const input = parseOrThrow(listSchema, parseJsonBody(request.body));
    const page = await store.featureGroup(group).listRecords({
      ...(input.MaxResults === undefined ? {} : { maxResults: input.MaxResults }),
      ...(input.NextToken === undefined ? {} : { nextToken: input.NextToken }),
      ...(input.IncludeSoftDeletedRecords === undefined ? {} : { includeSoftDeletedRecords: input.IncludeSoftDeletedRecords }),
    });
    const body = page.nextToken ? { RecordIdentifiers: page.recordIdentifiers, NextToken: page.nextToken } : { RecordIdentifiers: page.recordIdentifiers };
    return reply.type('application/json').send(JSON.stringify(body));
  });

  app.post('/BatchGetRecord', config('BatchGetRecord'), async (request, reply) => {
    const input = parseOrThrow(batchGetSchema, parseJsonBody(request.body));
    guard(request, 'read', input.Identifiers.map((i) => i.FeatureGroupName));
    const result = await store.batchGetRecord(
      input.Identifiers.map((i) => ({
        featureGroupName: i.FeatureGroupName,
        recordIdentifiers: i.RecordIdentifiersValueAsString,
        ...(i.FeatureNames ? { featureNames: i.FeatureNames } : {}),
      })),
      input.ExpirationTimeResponse ? { expirationTimeResponse: input.ExpirationTimeResponse } : {},
    );
    const asked = input.Identifiers.reduce((n, i) => n + i.RecordIdentifiersValueAsString.length, 0);
    metrics.observeOnlineLookups(result.records.length, asked - result.records.length - result.errors.length);
    // Records are written as JSON text directly (up to 10,000 of them); the rest is small.
    const records = result.records.map(
      (r) =>
        `{"FeatureGroupName":${JSON.stringify(r.featureGroupName)},"RecordIdentifierValueAsString":${JSON.stringify(r.recordIdentifier)},"Record":${wireRecordJson(r.record)}${
          r.expiresAt === undefined ? '' : `,"ExpiresAt":${JSON.stringify(r.expiresAt)}`
        }}`,
    );
    const rest = {
      Errors: result.errors.map((e) => ({
        FeatureGroupName: e.featureGroupName,
        RecordIdentifierValueAsString: e.recordIdentifier,
        ErrorCode: e.errorCode,
        ErrorMessage: e.errorMessage,
      })),
      UnprocessedIdentifiers: result.unprocessedIdentifiers.map((u) => ({
        FeatureGroupName: u.featureGroupName,
        RecordIdentifiersValueAsString: u.recordIdentifiers.map(String),
        ...(u.featureNames ? { FeatureNames: u.featureNames } : {}),
      })),
    };
    return reply.type('application/json').send(`{"Records":[${records.join(',')}],${JSON.stringify(rest).slice(1)}`);
  });

  app.post('/BatchWriteRecord', config('BatchWriteRecord'), async (request, reply) => {
    const input = parseOrThrow(batchWriteSchema, parseJsonBody(request.body));
    guard(request, 'write', input.Entries.map((e) => e.FeatureGroupName));
    const errors: Array<{ Entry: WireEntry; ErrorCode: string; ErrorMessage: string }> = [];
    const wireOf = new Map<BatchWriteEntry, WireEntry>();
    input.Entries.forEach((wire, i) => {
      try {
        const entry: BatchWriteEntry = {
          featureGroupName: wire.FeatureGroupName,
          record: fromWireRecord(wire.Record, `Entries[${i}].Record`),
          ...targets(wire.TargetStores),
          ...ttl(wire.TtlDuration),
        };
        wireOf.set(entry, wire);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        errors.push({ Entry: wire, ErrorCode: error.sagemakerName, ErrorMessage: error.message });
      }
    });
    if (wireOf.size > 0) {
      const result = await store.batchWriteRecord([...wireOf.keys()], ttl(input.TtlDuration));
      for (const e of result.errors) errors.push({ Entry: wireOf.get(e.entry)!, ErrorCode: e.errorCode, ErrorMessage: e.errorMessage });
      if (result.unprocessedEntries.length > 0) {
        return reply.type('application/json').send(JSON.stringify({ Errors: errors, UnprocessedEntries: result.unprocessedEntries.map((e) => wireOf.get(e)!) }));
      }
    }
    return reply.type('application/json').send(JSON.stringify({ Errors: errors, UnprocessedEntries: [] }));
  });
}
