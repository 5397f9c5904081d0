import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { parseOrThrow, ValidationError, type TtlDuration } from '../../domain/index.js';
import type { TargetStore } from '../../records/write-entry.js';
import { JSON_TYPE, parseWire, stringifyWire, type NativeRoute } from '../../wire/index.js';
import { authorize } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<R extends NativeRoute> {
  params: Out<R['params']>;
  query: Out<R['query']>;
  body: Out<R['body']>;
  principal: Principal;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** Drops undefined options, so the store sees exactly what the caller gave (exactOptionalPropertyTypes). */
export function defined<T extends Record<string, unknown>>(options: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as never;
}

/** A write's store options from a request body: its target stores and TTL, when given. */
export type WriteOptions = { targetStores?: string[] | undefined; ttlDuration?: TtlDuration | undefined };
export const writeOptions = (o: WriteOptions) => defined({ targetStores: o.targetStores as TargetStore[] | undefined, ttlDuration: o.ttlDuration });

/** What a handler returns: a JSON body, or `SENT` when it answered itself (streams, Arrow). */
export const SENT = Symbol('sent');

/** The JSON body of a request: malformed JSON is the client's mistake (400). */
function jsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  try {
    return parseWire(body.toString('utf8'));
  } catch (error) {
    throw new ValidationError(`body: not valid JSON (${(error as Error).message})`, { field: 'body' });
  }
}

const fastifyPath = (path: string) => path.replace(/^\/v1/, '').replace(/\{(\w+)\}/g, ':$1');

/**
 * Registers one native route: its params, query and JSON body parsed with the route's zod
 * schemas (the first problem is a ValidationError naming the field), the caller's role checked
 * against the route's permission and the feature group it names, then the handler.
 */
export function defineRoute<R extends NativeRoute>(app: FastifyInstance, route: R, handler: (input: RouteInput<R>) => Promise<unknown>): void {
  app.route({
    method: route.method,
    url: fastifyPath(route.path),
    config: { operation: route.operation, auth: 'native' },
    handler: async (request, reply) => {
      const principal = request.principal!;
      const params = route.params ? parseOrThrow(route.params, request.params) : undefined;
      const group = (params as { featureGroupName?: string } | undefined)?.featureGroupName;
      request.featureGroups = group === undefined ? [] : [group];
      if (route.permission !== 'authenticated') authorize(principal, route.operation, route.permission, request.featureGroups);
      const query = route.query ? parseOrThrow(route.query, request.query) : undefined;
      const body = route.body ? parseOrThrow(route.body, jsonBody(request.body)) : undefined;
      const result = await handler({ params, query, body, principal, request, reply } as RouteInput<R>);
      if (result === SENT) return reply;
      return reply.type(JSON_TYPE).send(stringifyWire(result ?? {}));
    },
  });
}

/** Whether the Accept header asks for this media type (before JSON). */
export function accepts(request: FastifyRequest, type: string): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.split(',').some((part) => part.split(';')[0]!.trim().toLowerCase() === type);
}
