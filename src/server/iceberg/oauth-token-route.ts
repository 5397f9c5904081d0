import type { FastifyInstance } from 'fastify';
import { UnauthenticatedError, ValidationError } from '../../domain/index.js';
import type { BearerTokens } from '../auth/bearer-tokens.js';

/** Lifetime of a token minted for a catalog client: engines refresh it themselves before it ends. */
const TOKEN_LIFETIME_SECONDS = 3600;

/**
 * `POST /iceberg/v1/oauth/tokens`, the OAuth2 client-credentials exchange that Iceberg clients
 * (Spark's and pyiceberg's `credential = "<access key id>:<secret>"`) use to get a bearer token:
 * the client id is a Floe access key id, the secret its secret. The token is the native API's own,
 * so it carries the key's role and group limits.
 */
export async function oauthTokenRoute(app: FastifyInstance, options: { tokens: BearerTokens }): Promise<void> {
  app.post('/oauth/tokens', { config: { auth: 'none', operation: 'Iceberg.OAuthToken' } }, async (request, reply) => {
    const form = new URLSearchParams(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '');
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: `grant_type: expected client_credentials, got '${grant ?? ''}'` });
    }
    const id = form.get('client_id');
    const secret = form.get('client_secret');
    if (!id || !secret) return reply.code(400).send({ error: 'invalid_request', error_description: 'client_id and client_secret: both are required' });
    try {
      const { token } = await options.tokens.exchange(id, secret, TOKEN_LIFETIME_SECONDS);
      return reply.send({
        access_token: token,
        token_type: 'bearer',
        expires_in: TOKEN_LIFETIME_SECONDS,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      });
    } catch (error) {
      if (error instanceof UnauthenticatedError || error instanceof ValidationError) {
        return reply.code(401).send({ error: 'invalid_client', error_description: error.message });
      }
      throw error;
    }
  });
}
