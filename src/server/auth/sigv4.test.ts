import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../../domain/index.js';
import { canonicalQuery, canonicalUri, parseAuthorization, verifySignature, type SignedRequest } from './sigv4.js';

// The "get-vanilla" case of the AWS Signature Version 4 test suite.
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const VANILLA_SIGNATURE = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
const SIGNED_AT = Date.UTC(2015, 7, 30, 12, 36, 0);
const vanilla = (signature = VANILLA_SIGNATURE): SignedRequest => ({
  method: 'GET',
  url: '/',
  rawHeaders: [
    'Host',
    'example.amazonaws.com',
    'X-Amz-Date',
    '20150830T123600Z',
    'Authorization',
    `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
  ],
  body: undefined,
});
const options = { now: SIGNED_AT, maxSkewMs: 15 * 60_000, allowUnsignedPayload: false };

function verify(request: SignedRequest, secret = SECRET, opts = options): void {
  const header = request.rawHeaders[request.rawHeaders.findIndex((h) => h.toLowerCase() === 'authorization') + 1];
  verifySignature(request, parseAuthorization(header), secret, opts);
}

function failure(run: () => void): UnauthenticatedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthenticatedError);
    return error as UnauthenticatedError;
  }
  throw new Error('expected the request to be refused');
}

describe('SigV4 verification', () => {
  it('accepts the specification test suite request and refuses it with another secret', () => {
    expect(() => verify(vanilla())).not.toThrow();
    expect(failure(() => verify(vanilla(), `${SECRET}x`)).message).toMatch(/signature does not match/);
    expect(failure(() => verify(vanilla(VANILLA_SIGNATURE.replace(/^5/, '6')))).message).toMatch(/signature does not match/);
  });

  it('refuses a request signed more than 15 minutes away from the server clock, either way', () => {
    expect(() => verify(vanilla(), SECRET, { ...options, now: SIGNED_AT + 14 * 60_000 })).not.toThrow();
    expect(failure(() => verify(vanilla(), SECRET, { ...options, now: SIGNED_AT + 16 * 60_000 })).field).toBe('X-Amz-Date');
    expect(failure(() => verify(vanilla(), SECRET, { ...options, now: SIGNED_AT - 16 * 60_000 })).message).toMatch(/15 minutes/);
  });

  it('refuses a header that changed after signing, and a signature that leaves host unsigned', () => {
    const changed = vanilla();
    changed.rawHeaders[1] = 'other.example.com';
    expect(failure(() => verify(changed)).message).toMatch(/does not match/);
    const hostless = vanilla();
    hostless.rawHeaders[5] = hostless.rawHeaders[5]!.replace('SignedHeaders=host;x-amz-date', 'SignedHeaders=x-amz-date');
    expect(failure(() => verify(hostless)).message).toMatch(/must include host/);
  });

  it('covers the body: a declared hash must match it, UNSIGNED-PAYLOAD only where allowed', () => {
    const withBody = { ...vanilla(), method: 'POST', body: Buffer.from('{"a":1}') };
    withBody.rawHeaders = [...withBody.rawHeaders, 'X-Amz-Content-Sha256', createHash('sha256').update('{"b":2}').digest('hex')];
    expect(failure(() => verify(withBody)).field).toBe('X-Amz-Content-Sha256');
    const unsigned = { ...vanilla(), rawHeaders: [...vanilla().rawHeaders, 'x-amz-content-sha256', 'UNSIGNED-PAYLOAD'] };
    expect(failure(() => verify(unsigned)).message).toMatch(/UNSIGNED-PAYLOAD is not accepted/);
    // Allowed, the literal takes the hash's place; the signature (made over the empty body's hash) no longer matches.
    expect(failure(() => verify(unsigned, SECRET, { ...options, allowUnsignedPayload: true })).message).toMatch(/signature does not match/);
  });

  it('refuses missing and malformed Authorization headers with the reason', () => {
    expect(() => parseAuthorization(undefined)).toThrow(/not signed/);
    expect(() => parseAuthorization('AWS4-HMAC-SHA1 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host, Signature=00')).toThrow(/only AWS4-HMAC-SHA256/);
    expect(() => parseAuthorization('AWS4-HMAC-SHA256 Credential=a/2015/r/s/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64))).toThrow(/Credential must be/);
    expect(() => parseAuthorization('AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders=Host, Signature=' + '0'.repeat(64))).toThrow(/lowercase/);
  });

  it('reads the header as the AWS SDKs write it and in any other accepted spelling alike', () => {
    const sig = 'ab'.repeat(32);
    const claim = { accessKeyId: 'AKID', scopeDate: '20150830', region: 'us-east-1', service: 'sagemaker', signedHeaders: ['host', 'x-amz-date'], signature: sig };
    expect(parseAuthorization(`AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sagemaker/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`)).toEqual(claim);
    expect(parseAuthorization(`AWS4-HMAC-SHA256 Signature=${sig},SignedHeaders=host;x-amz-date ,  Credential=AKID/20150830/us-east-1/sagemaker/aws4_request`)).toEqual(claim);
    // Not the SDK's form, and not valid: the general reader names the problem.
    expect(() => parseAuthorization(`AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sagemaker/aws4_request, SignedHeaders=host;;x-amz-date, Signature=${sig}`)).toThrow(/SignedHeaders/);
    expect(() => parseAuthorization(`AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=${sig.toUpperCase()}`)).toThrow(/Signature must be/);
  });

  it('canonicalises paths (encoded once more, dot segments removed) and queries (decoded, re-encoded, sorted)', () => {
    expect(canonicalUri('/FeatureGroup/arn%3Aaws%3Asagemaker%3Alocal%3A0%3Afeature-group%2Fusers')).toBe(
      '/FeatureGroup/arn%253Aaws%253Asagemaker%253Alocal%253A0%253Afeature-group%252Fusers',
    );
    expect(canonicalUri('/a/./b/../c//d/')).toBe('/a/c/d/');
    expect(canonicalUri('')).toBe('/');
    expect(canonicalQuery('b=2&a=z&a=y&c=%20x+&d')).toBe('a=y&a=z&b=2&c=%20x%2B&d=');
    expect(canonicalQuery("k=a!b'(c)*")).toBe('k=a%21b%27%28c%29%2A');
    // Already canonical parts are kept as they are; encoded unreserved characters are decoded.
    expect(canonicalQuery('RecordIdentifierValueAsString=user-7.x_~&z=%41%2D')).toBe('RecordIdentifierValueAsString=user-7.x_~&z=A-');
  });
});
