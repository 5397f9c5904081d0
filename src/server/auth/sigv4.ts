import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '../../domain/index.js';
import { hmacKey, hmacSha256, type HmacKey } from './hmac-sha256.js';

/**
 * AWS Signature Version 4 verification, written from the specification ("Create a canonical
 * request", "Create a string to sign", "Calculate the signature"). The server recomputes the
 * signature from what it received and the caller's secret; nothing the client claims is trusted.
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const EMPTY_SHA256 = hash('sha256', '', 'hex');

/** A request as it arrived, before anything was decoded. */
export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (still percent-encoded). */
  url: string;
  /** Node's rawHeaders: name, value, name, value, ... (names in any case, repeats kept). */
  rawHeaders: string[];
  body: Buffer | undefined;
}

/** The parts of `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
export interface SignatureClaim {
  accessKeyId: string;
  /** YYYYMMDD of the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export interface VerifyOptions {
  /** Milliseconds since the epoch, for the clock-skew check. */
  now: number;
  /** Largest accepted distance between X-Amz-Date and the server clock (the spec's 15 minutes). */
  maxSkewMs: number;
  /** Whether `X-Amz-Content-Sha256: UNSIGNED-PAYLOAD` is accepted (the body is then not covered). */
  allowUnsignedPayload: boolean;
}

function reject(message: string, field = 'Authorization'): never {
  throw new UnauthenticatedError(`${field}: ${message}`, { field });
}

/**
 * The header exactly as the AWS SDKs write it, every part already in its valid form: read with one
 * match. Anything else takes the general parser below, which names what is wrong.
 */
const SDK_AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/\s,=]+)\/(\d{8})\/([^/\s,=]+)\/([^/\s,=]+)\/aws4_request, SignedHeaders=((?:[a-z0-9!#$%&'*+.^_`|~-]+;)*[a-z0-9!#$%&'*+.^_`|~-]+), Signature=([0-9a-f]{64})$/;

/** Reads the Authorization header; a missing or malformed one is refused. */
export function parseAuthorization(header: string | undefined): SignatureClaim {
  const sdk = header === undefined ? null : SDK_AUTHORIZATION.exec(header);
  if (sdk) return { accessKeyId: sdk[1]!, scopeDate: sdk[2]!, region: sdk[3]!, service: sdk[4]!, signedHeaders: sdk[5]!.split(';'), signature: sdk[6]! };
  if (header === undefined || header === '') reject('the request is not signed; sign it with AWS Signature Version 4');
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space) !== ALGORITHM) reject(`only ${ALGORITHM} signatures are accepted`);
  const parts = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!credential || !signedHeaders || !signature) reject('Credential, SignedHeaders and Signature are all required');
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1]!) || scope.some((s) => s === '')) {
    reject('Credential must be <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request');
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) reject('Signature must be 64 lowercase hex digits');
  const headers = signedHeaders.split(';');
  if (headers.some((h) => h === '' || h !== h.toLowerCase())) reject('SignedHeaders must be lowercase names separated by ;');
  return {
    accessKeyId: scope[0]!,
    scopeDate: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: headers,
    signature,
  };
}

/** What the check reads of the headers, from one pass over them. */
export interface SignedHeaderValues {
  /** Canonical value of each signed header, in SignedHeaders' order (repeats joined with ','); undefined when absent. */
  values: Array<string | undefined>;
  amzDate: string | undefined;
  contentSha256: string | undefined;
}

/**
 * One pass over Node's rawHeaders (names in any case, repeats kept): the signed headers' canonical
 * values and the first X-Amz-Date and X-Amz-Content-Sha256, and nothing else. A name listed twice
 * in SignedHeaders is filled once, so the request is refused as missing a signed header.
 */
export function readSignedHeaders(rawHeaders: string[], signedHeaders: string[]): SignedHeaderValues {
  const values = new Array<string | undefined>(signedHeaders.length);
  let amzDate: string | undefined;
  let contentSha256: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'x-amz-date') amzDate ??= value;
    else if (name === 'x-amz-content-sha256') contentSha256 ??= value;
    const at = signedHeaders.indexOf(name);
    if (at >= 0) values[at] = values[at] === undefined ? canonicalHeaderValue(value) : `${values[at]},${canonicalHeaderValue(value)}`;
  }
  return { values, amzDate, contentSha256 };
}

/** Milliseconds since the epoch of a `YYYYMMDDTHHMMSSZ` X-Amz-Date, or NaN. */
export function parseAmzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/**
 * Checks the signature of a request against the caller's secret. Throws UnauthenticatedError
 * naming what is wrong; returns nothing when the request is authentic.
 */
export function verifySignature(request: SignedRequest, claim: SignatureClaim, secretAccessKey: string, options: VerifyOptions): void {
  const headers = readSignedHeaders(request.rawHeaders, claim.signedHeaders);
  const amzDate = headers.amzDate;
  if (amzDate === undefined) reject('the X-Amz-Date header is required', 'X-Amz-Date');
  const signedAt = parseAmzDate(amzDate);
  if (Number.isNaN(signedAt)) reject(`'${amzDate}' is not a YYYYMMDDTHHMMSSZ time`, 'X-Amz-Date');
  if (Math.abs(options.now - signedAt) > options.maxSkewMs) {
    reject(
      `the request was signed at ${new Date(signedAt).toISOString()}, more than ${options.maxSkewMs / 60_000} minutes from the server's time ${new Date(options.now).toISOString()}`,
      'X-Amz-Date',
    );
  }
  if (claim.scopeDate !== amzDate.slice(0, 8)) reject('the credential scope date is not the date of X-Amz-Date');
  for (const required of ['host', 'x-amz-date']) {
    if (!claim.signedHeaders.includes(required)) reject(`SignedHeaders must include ${required}`);
  }
  const payloadHash = resolvePayloadHash(request.body, headers.contentSha256, options.allowUnsignedPayload);
  const canonical = canonicalRequest(request, headers.values, claim.signedHeaders, payloadHash);
  const scope = `${claim.scopeDate}/${claim.region}/${claim.service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const expected = hmacSha256(signingKey(secretAccessKey, claim.scopeDate, claim.region, claim.service), stringToSign);
  const given = Buffer.from(claim.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    reject('the signature does not match; check the secret access key and the signing method');
  }
}

function resolvePayloadHash(body: Buffer | undefined, declared: string | undefined, allowUnsigned: boolean): string {
  if (declared === UNSIGNED_PAYLOAD) {
    if (!allowUnsigned) reject('UNSIGNED-PAYLOAD is not accepted by this server; sign the body', 'X-Amz-Content-Sha256');
    return UNSIGNED_PAYLOAD;
  }
  const actual = body === undefined || body.length === 0 ? EMPTY_SHA256 : sha256Hex(body);
  if (declared !== undefined && declared !== actual) {
    reject('the declared payload hash does not match the body', 'X-Amz-Content-Sha256');
  }
  return actual;
}

/** The canonical request of the specification, from the request as received and its signed headers' canonical values. */
export function canonicalRequest(request: SignedRequest, values: Array<string | undefined>, signedHeaders: string[], payloadHash: string): string {
  const q = request.url.indexOf('?');
  const path = q < 0 ? request.url : request.url.slice(0, q);
  const query = q < 0 ? '' : request.url.slice(q + 1);
  let canonicalHeaders = '';
  for (let i = 0; i < signedHeaders.length; i++) {
    const value = values[i];
    if (value === undefined) reject(`signed header '${signedHeaders[i]}' is not in the request`);
    canonicalHeaders += `${signedHeaders[i]}:${value}\n`;
  }
  return `${request.method.toUpperCase()}\n${canonicalUri(path)}\n${canonicalQuery(query)}\n${canonicalHeaders}\n${signedHeaders.join(';')}\n${payloadHash}`;
}

/** Trimmed, inner runs of whitespace as one space; most values have none, and are returned as they are. */
function canonicalHeaderValue(value: string): string {
  return NEEDS_SPACE_FOLDING.test(value) ? value.trim().replace(/\s+/g, ' ') : value;
}
const NEEDS_SPACE_FOLDING = /^\s|\s$|\s\s|[\t\n\r\f\v]/;

/** A path of unreserved characters only, without empty, `.` or `..` segments: its canonical form is itself. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-]+(?:\.+[A-Za-z0-9_~-]+)*)+$|^\/$/;

/**
 * The path normalized (no empty, `.` or `..` segments) and URI-encoded once more, as every
 * AWS service except S3 signs it: the client signs the already-encoded path.
 */
export function canonicalUri(rawPath: string): string {
  if (PLAIN_PATH.test(rawPath)) return rawPath;
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return uriEncode(normalized).replace(/%2F/g, '/');
}

/** Query parameters decoded, re-encoded per RFC 3986, sorted by name and then by value. */
export function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([canonicalQueryPart(name), canonicalQueryPart(value)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** Unreserved characters only: decoding and encoding again gives the same text. */
const UNRESERVED = /^[A-Za-z0-9_.~-]*$/;

function canonicalQueryPart(raw: string): string {
  return UNRESERVED.test(raw) ? raw : uriEncode(safeDecode(raw));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    reject('the request URL holds a malformed percent-encoding', 'url');
  }
}

/** RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ as %XX. */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** One-shot hashing: no Hash object per call, which a server verifying every request notices. */
function sha256Hex(data: string | Buffer): string {
  return hash('sha256', data, 'hex');
}

/** The last signing key of each secret: a client signs with one scope for a whole day. */
const signingKeys = new Map<string, { date: string; region: string; service: string; key: HmacKey }>();

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"), cached per secret and scope. */
export function signingKey(secret: string, date: string, region: string, service: string): HmacKey {
  // Looked up by the secret (the same string every time, so its hash is kept) rather than by a key
  // built per request, whose hash would be computed every time.
  const cached = signingKeys.get(secret);
  if (cached && cached.date === date && cached.region === region && cached.service === service) return cached.key;
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  const key = hmacKey(createHmac('sha256', kService).update('aws4_request').digest());
  if (signingKeys.size >= 1024) signingKeys.clear();
  signingKeys.set(secret, { date, region, service, key });
  return key;
}
