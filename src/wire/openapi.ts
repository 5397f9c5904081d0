import { z } from 'zod';
import { JSON_TYPE } from './json.js';
import { NATIVE_ROUTES, type NativeRoute } from './routes.js';
import { errorResponse, int64 } from './schemas.js';

type Json = Record<string, unknown>;

const ERRORS: Record<string, string> = {
  '400': 'Bad input: the error names the field and the reason; nothing changed',
  '401': 'No credential, or a bad or expired one',
  '403': "The key's role or feature groups do not allow the call",
  '404': 'No such feature group, feature or snapshot',
  '409': 'A concurrent change or an ordering rule refused the call',
  '413': 'The body is larger than the server accepts',
  '503': 'The store is unavailable for now; retry',
  '507': 'The server has no storage left for the write',
};

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The OpenAPI 3.1 document of the native API, generated from the routes' zod schemas (so it
 * cannot fall behind them). int64 fields are integers of format int64, written as plain JSON
 * integers however large.
 */
export function openApiDocument(options: { version: string; serverUrl?: string }): Json {
  const registry = z.registry<{ id: string }>();
  const refs = new Map<z.ZodType, string>();
  const name = (schema: z.ZodType, id: string) => {
    if (!refs.has(schema)) {
      refs.set(schema, id);
      registry.add(schema, { id });
    }
    return { $ref: `#/components/schemas/${refs.get(schema)}` };
  };
  name(errorResponse, 'Error');
  const paths: Record<string, Record<string, Json>> = {};
  for (const [key, route] of Object.entries(NATIVE_ROUTES) as Array<[string, NativeRoute]>) {
    const op: Json = { operationId: route.operation, summary: route.summary, tags: [tagOf(route.path)], 'x-floe-permission': route.permission };
    const parameters: Json[] = [];
    if (route.params) parameters.push(...parametersOf(route.params, 'path'));
    if (route.query) parameters.push(...parametersOf(route.query, 'query'));
    if (parameters.length > 0) op.parameters = parameters;
    if (route.body) op.requestBody = { required: true, content: { [JSON_TYPE]: { schema: name(route.body, `${pascal(key)}Request`) } } };
    if (route.streamedBody) op.requestBody = { required: true, content: Object.fromEntries(route.streamedBody.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])) };
    const content: Json = { [JSON_TYPE]: { schema: name(route.response, `${pascal(key)}Response`) } };
    for (const t of route.alternativeResponses ?? []) content[t] = { schema: { type: 'string', format: 'binary' } };
    const responses: Json = { '200': { description: 'OK', content } };
    for (const [status, description] of Object.entries(ERRORS)) {
      responses[status] = { description, content: { [JSON_TYPE]: { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    op.responses = responses;
    (paths[route.path] ??= {})[route.method.toLowerCase()] = op;
  }
  const generated = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'input', unrepresentable: 'any', override: int64Override });
  const schemas = Object.fromEntries(
    Object.entries(generated.schemas).map(([id, schema]) => {
      const { $schema: _s, $id: _i, ...rest } = schema as Json;
      return [id, rest];
    }),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Floe native API',
      version: options.version,
      description:
        'The native REST API of the Floe feature store. Authenticate with `Authorization: Bearer <token>` (see POST /v1/tokens) or AWS Signature Version 4. Integers beyond 2^53 are plain JSON integers: parse them losslessly.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ bearer: [] }, { sigv4: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'floe1.<access key id>.<expiry>.<HMAC>' },
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS Signature Version 4 (service sagemaker, any region)' },
      },
    },
  };
}

function tagOf(path: string): string {
  if (path.includes('/records') || path.endsWith('/flush') || path.endsWith('/ingest')) return 'records';
  if (path.startsWith('/v1/query') || path.startsWith('/v1/datasets') || path.endsWith('/snapshots')) return 'offline';
  if (path.startsWith('/v1/tokens')) return 'tokens';
  return 'feature groups';
}

/** bigint becomes `integer, int64` (zod has no JSON Schema for it). */
function int64Override(ctx: { zodSchema: unknown; jsonSchema: Json }): void {
  const def = (ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def;
  if (ctx.zodSchema === int64) {
    delete ctx.jsonSchema.anyOf;
    ctx.jsonSchema.type = 'integer';
    ctx.jsonSchema.format = 'int64';
  } else if (def?.type === 'bigint') {
    ctx.jsonSchema.type = 'integer';
    ctx.jsonSchema.format = 'int64';
  }
}

function parametersOf(schema: z.ZodType, where: 'path' | 'query'): Json[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', override: int64Override }) as Json;
  const properties = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([n, p]) => {
    const { description, ...rest } = p;
    return { name: n, in: where, required: where === 'path' || required.has(n), schema: rest, ...(description ? { description } : {}) };
  });
}
