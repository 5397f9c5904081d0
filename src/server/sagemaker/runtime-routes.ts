import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow, ValidationError, type TtlDuration } from '../../domain/index.js';
import type { BatchWriteEntry } from '../../records/record-service.js';
import type { TargetStore } from '../../records/write-entry.js';
import type { FeatureStore } from '../../sdk/index.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { fromWireRecord, wireRecordSchema } from './record-values.js';
import { sagemakerRuntimeReadRoutes } from './runtime-read-routes.js';
import { groupOf, guard, list, restJson, single } from './runtime-kit.js';
import { parseJsonBody } from './wire-json.js';

/**
 * The SageMaker Feature Store runtime (REST-JSON), exactly as
 * `@aws-sdk/client-sagemaker-featurestore-runtime` calls it. A translator: wire shapes in,
 * the SDK's record calls, wire shapes out. The reads are in runtime-read-routes.ts.
 */
export interface RuntimeRoutesOptions {
  store: FeatureStore;
  metrics: ServerMetrics;
}

export const BATCH_WRITE_LIMIT = 25;

const ttlSchema = z.object({ Unit: z.unknown(), Value: z.unknown() }, { error: 'must be an object with Unit and Value' });
const targetStoresSchema = z.array(z.string({ error: 'must be a string' }), { error: 'must be a list' });

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

export async function sagemakerRuntimeRoutes(app: FastifyInstance, { store, metrics }: RuntimeRoutesOptions): Promise<void> {
  await app.register(sagemakerRuntimeReadRoutes, { reads: store, metrics });

  app.put('/FeatureGroup/:FeatureGroupName', restJson('PutRecord'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'write', [group]);
    const input = parseOrThrow(putSchema, parseJsonBody(request.body));
    const record = fromWireRecord(input.Record, 'Record');
    await store.featureGroup(group).putRecord(record, { ...targets(input.TargetStores), ...ttl(input.TtlDuration) });
    return reply.type('application/json').send('{}');
  });

  app.delete('/FeatureGroup/:FeatureGroupName', restJson('DeleteRecord'), async (request, reply) => {
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

  app.post('/FeatureGroup/:FeatureGroupName/Record', restJson('UpdateRecord'), async (request, reply) => {
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

  app.post('/FeatureGroup/:FeatureGroupName/ListRecords', restJson('ListRecords'), async (request, reply) => {
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

  app.post('/BatchWriteRecord', restJson('BatchWriteRecord'), async (request, reply) => {
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
