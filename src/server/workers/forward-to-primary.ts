import { Agent, request as httpRequest } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What a caller gets when the primary cannot be reached: the service's fault, and worth a retry. */
const UNAVAILABLE = JSON.stringify({ __type: 'ServiceUnavailable', message: 'the server is restarting or shutting down; retry' });

/**
 * 503 and `Connection: close`: this worker is draining (as fastify answers its own routes then),
 * so the caller retries on a new connection, which another worker takes.
 */
export function refuseWhileDraining(reply: FastifyReply): void {
  reply.hijack();
  reply.raw.writeHead(503, { ...UNAVAILABLE_HEADERS, connection: 'close' });
  reply.raw.end(UNAVAILABLE);
}

const UNAVAILABLE_HEADERS = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ServiceUnavailable', 'content-length': String(Buffer.byteLength(UNAVAILABLE)) };

/**
 * Passes a request a worker does not answer itself to the primary process, over its Unix socket,
 * byte for byte: the raw headers in their order and spelling (a SigV4 signature covers them) and
 * the body as a stream (bulk ingests are larger than any buffer should be); the answer comes
 * back the same way. Hand-written on node:http: a reverse proxy library would add a dependency
 * for forty lines, and the primary authenticates the request itself.
 */
export function forwardToPrimary(socketPath: string): (request: FastifyRequest, reply: FastifyReply) => void {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  return (request, reply) => {
    reply.hijack();
    const incoming = request.raw;
    const outgoing = reply.raw;
    const upstream = httpRequest(
      { socketPath, agent, method: incoming.method, path: incoming.url, headers: incoming.rawHeaders, setHost: false },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(outgoing);
        answer.on('error', () => outgoing.destroy());
      },
    );
    upstream.on('error', () => {
      if (outgoing.headersSent) return outgoing.destroy();
      outgoing.writeHead(503, UNAVAILABLE_HEADERS);
      outgoing.end(UNAVAILABLE);
    });
    // A caller that goes away takes its forwarded request with it.
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) upstream.destroy();
    });
    incoming.pipe(upstream);
  };
}
