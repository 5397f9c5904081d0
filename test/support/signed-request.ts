import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { hmacSha256 } from '../../src/server/auth/hmac-sha256.js';
import { ALGORITHM, canonicalRequest, readSignedHeaders, signingKey } from '../../src/server/auth/sigv4.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawRequest {
  method: string;
  /** Sent exactly as given: no normalisation of `..`, percent-encoding or unicode. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface SigningOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** Default now; an old date makes an expired (or replayed) request. */
  date?: Date;
  service?: string;
  region?: string;
}

/** An HTTP request as node sends it, without the AWS SDK's validation, for attacks and fuzzing. */
export function sendRaw(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  return new Promise((resolve, reject) => {
    let answered = false;
    // A connection of its own: a server that answers and closes (431, 413) must not poison the next request.
    const r = httpRequest(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, agent: false, headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    // The server may answer and close before the body is sent; only a reset with no answer is a failure.
    r.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (body) r.write(body);
    r.end();
  });
}

/** Signs a raw request with SigV4 (the headers host, x-amz-date, x-amz-content-sha256 and any given). */
export function signRaw(baseUrl: string, req: RawRequest, signing: SigningOptions): RawRequest {
  const host = new URL(baseUrl).host;
  const amzDate = (signing.date ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  const payloadHash = createHash('sha256').update(body).digest('hex');
  const headers: Record<string, string> = { ...req.headers, host, 'x-amz-date': amzDate, 'x-amz-content-sha256': payloadHash };
  const raw = Object.entries(headers).flat();
  const signed = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const service = signing.service ?? 'sagemaker';
  const region = signing.region ?? 'us-east-1';
  const canonical = canonicalRequest({ method: req.method, url: req.path, rawHeaders: raw, body }, readSignedHeaders(raw, signed).values, signed, payloadHash);
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = hmacSha256(signingKey(signing.secretAccessKey, amzDate.slice(0, 8), region, service), stringToSign).toString('hex');
  return {
    ...req,
    headers: { ...headers, authorization: `${ALGORITHM} Credential=${signing.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}` },
  };
}
