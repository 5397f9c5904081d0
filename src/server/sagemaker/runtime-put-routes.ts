import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow, ValidationError } from '../../domain/index.js';
import type { BatchWriteEntry } from '../../records/record-service.js';
import type { RecordPutApi } from '../../sdk/index.js';
import { fromWireRecord, wireRecordSchema } from './record-values.js';
import { groupOf, guard, restJson, targets, targetStoresSchema, ttl, ttlSchema } from './runtime-kit.js';
import { parseJsonBody } from './wire-json.js';

/** SageMaker's limit on BatchWriteRecord entries. */
export const BATCH_WRITE_LIMIT = 25;

const putSchema = z.object({ Record: z.unknown(), TargetStores: targetStoresSchema.optional(), TtlDuration: ttlSchema.optional() });
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

/**
 * The runtime's puts, PutRecord and BatchWriteRecord: registered by the server that owns the
 * store and by its workers (`floe serve --workers`), which validate them and hand them to the
 * owner's write path.
 */
export async function sagemakerRuntimePutRoutes(app: FastifyInstance, { puts }: { puts: RecordPutApi }): Promise<void> {
  app.put('/FeatureGroup/:FeatureGroupName', restJson('PutRecord'), async (request, reply) => {
    const group = groupOf(request);
    guard(request, 'write', [group]);
    const input = parseOrThrow(putSchema, parseJsonBody(request.body));
    const record = fromWireRecord(input.Record, 'Record');
    await puts.featureGroup(group).putRecord(record, { ...targets(input.TargetStores), ...ttl(input.TtlDuration) });
    return reply.type('application/json').send('{}');
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
      const result = await puts.batchWriteRecord([...wireOf.keys()], ttl(input.TtlDuration));
      for (const e of result.errors) errors.push({ Entry: wireOf.get(e.entry)!, ErrorCode: e.errorCode, ErrorMessage: e.errorMessage });
      if (result.unprocessedEntries.length > 0) {
        return reply.type('application/json').send(JSON.stringify({ Errors: errors, UnprocessedEntries: result.unprocessedEntries.map((e) => wireOf.get(e)!) }));
      }
    }
    return reply.type('application/json').send(JSON.stringify({ Errors: errors, UnprocessedEntries: [] }));
  });
}
