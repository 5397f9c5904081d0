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
 * The raw headers without the hop-by-hop ones (RFC 9110, 7.6.1), which describe the caller's
 * connection to this worker, not this worker's to the primary. A caller's `Connection: close`
 * passed on made the primary close the shared connection while this side was still writing, and
 * the caller got a 503 for a request the primary had answered. The AWS SDKs never sign these
 * headers, so the signature still covers every header it signed.
 */
function endToEndHeaders(rawHeaders: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (name !== 'connection' && name !== 'keep-alive' && name !== 'proxy-connection') kept.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return kept;
}

/**
 * Passes a request a worker does not answer itself to the primary process, over its Unix socket,
 * byte for byte: the raw headers in their order and spelling (a SigV4 signature covers them; only
 * the hop-by-hop ones stay behind) and
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
      { socketPath, agent, method: incoming.method, path: incoming.url, headers: endToEndHeaders(incoming.rawHeaders), setHost: false },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(outgoing);
        answer.on('error', () => outgoing.destroy());
      },
    );
    upstream.on('error', (error) => {
      request.log.warn({ err: error, reqId: request.id, reusedSocket: upstream.reusedSocket }, 'forwarding a request to the primary failed');
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
