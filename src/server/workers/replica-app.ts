import type { FastifyInstance } from 'fastify';
import type { RecordPutApi, RecordReadApi } from '../../sdk/index.js';
import { createAppBase, type AppBaseOptions } from '../app-base.js';
import type { BearerTokens } from '../auth/bearer-tokens.js';
import { nativeRecordApi } from '../native/index.js';
import { sagemakerRuntimePutRoutes } from '../sagemaker/runtime-put-routes.js';
import { sagemakerRuntimeReadRoutes } from '../sagemaker/runtime-read-routes.js';
import { forwardToPrimary, refuseWhileDraining } from './forward-to-primary.js';

export interface ReplicaAppOptions extends AppBaseOptions {
  /** Where reads are answered and puts validated (a StoreReplica). */
  reads: RecordReadApi & RecordPutApi;
  tokens: BearerTokens;
  /** The Unix socket the primary serves the whole API on. */
  primarySocket: string;
}

/**
 * A worker's app: the online reads (SageMaker GetRecord and BatchGetRecord, the native API's
 * gets) and the puts (PutRecord, BatchWriteRecord, the native puts), served here with the same
 * routes, authentication, errors and metrics as the primary's (puts validated here, then logged
 * by the primary); every other request is forwarded to the primary unchanged, before its body is
 * read, and the primary authenticates, answers and counts it.
 */
export async function buildReplicaApp(options: ReplicaAppOptions): Promise<FastifyInstance> {
  const { app, metrics, isDraining } = createAppBase(options);
  const forward = forwardToPrimary(options.primarySocket);
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    if (isDraining()) return refuseWhileDraining(reply);
    forward(request, reply);
  });
  await app.register(sagemakerRuntimeReadRoutes, { reads: options.reads, metrics });
  await app.register(sagemakerRuntimePutRoutes, { puts: options.reads });
  await app.register(nativeRecordApi, { reads: options.reads, sigv4: options.authenticator, tokens: options.tokens, metrics });
  return app;
}
