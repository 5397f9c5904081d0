import type { Principal } from './auth/principal.js';
import type { AwsProtocol } from './errors/aws-error.js';

/** What routes declare and what the request carries through the hooks. */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** The wire protocol, which decides the error shape (default: plain JSON). */
    protocol?: AwsProtocol;
    /** The operation name for metrics and authorization messages, when the route fixes it. */
    operation?: string;
    /** `none` for /health and /metrics; `native` routes authenticate in their plugin (bearer token or SigV4); everything else by SigV4. */
    auth?: 'sigv4' | 'none' | 'native';
  }
  interface FastifyRequest {
    /** Set by the authentication hook before any handler runs. */
    principal: Principal | null;
    /** The operation being served (routes with a fixed one take it from their config). */
    operation: string;
    /** The feature groups the call names, once its route has read them (for the audit log). */
    featureGroups: string[] | null;
  }
}
