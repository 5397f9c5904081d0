import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { ValidationError } from '../../domain/index.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';
import { parseS3Uri, type S3Options } from './s3-uri.js';

const statusOf = (error: unknown) => (error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined);

/**
 * An object store over an S3-compatible bucket. New objects are written with `If-None-Match: *`
 * (refused by the server when the key exists, where it supports conditional writes) after a HEAD
 * check (for servers that ignore the header). Object names carry random UUIDs and the table
 * pointer in the registry is the commit point, so the HEAD-check window never decides a commit.
 */
export class S3ObjectStore implements ObjectStore {
  readonly rootUri: string;

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.rootUri = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
  }

  /** Opens the store and checks that the bucket answers (a clear error now beats one at the first write). */
  static async open(uri: string, options: S3Options = {}): Promise<S3ObjectStore> {
    const { bucket, prefix } = parseS3Uri(uri);
    const client = new S3Client({
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Many S3-compatible stores reject the SDK's default streaming checksums (aws-chunked bodies):
      // compute checksums only where an operation requires them.
      ...(options.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
    });
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      client.destroy();
      const status = statusOf(error);
      const reason = status === 404 ? 'the bucket does not exist' : status === 403 ? 'access denied' : (error as Error).message || (error as Error).name;
      throw new ValidationError(`warehouse: cannot open '${uri}': ${reason}`, { field: 'warehouse', cause: error });
    }
    return new S3ObjectStore(client, bucket, prefix);
  }

  resolve(relativePath: string): string {
    const segments = relativePath.split('/');
    if (relativePath.startsWith('/') || segments.some((s) => s === '..' || s === '.' || s === '')) {
      throw new ValidationError(`path: '${relativePath}' must be a relative path inside the warehouse`, { field: 'path' });
    }
    return `${this.rootUri}/${relativePath}`;
  }

  /** The object key of a URI inside the root; ValidationError for anything else. */
  private key(uri: string): string {
    const base = `${this.rootUri}/`;
    if (uri === this.rootUri) return this.prefix;
    if (!uri.startsWith(base)) throw new ValidationError(`uri: '${uri}' is outside the warehouse ${this.rootUri}`, { field: 'uri' });
    const rest = uri.slice(base.length);
    if (rest.split('/').some((s) => s === '..' || s === '.')) throw new ValidationError(`uri: '${uri}' has a '.' or '..' segment`, { field: 'uri' });
    return this.prefix ? `${this.prefix}/${rest}` : rest;
  }

  private uriOf(key: string): string {
    return this.prefix ? `${this.rootUri}/${key.slice(this.prefix.length + 1)}` : `${this.rootUri}/${key}`;
  }

  async read(uri: string): Promise<Buffer> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(uri) }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  async readRange(uri: string, offset: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(uri), Range: `bytes=${offset}-${offset + length - 1}` }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  async size(uri: string): Promise<number | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(uri) }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async exists(uri: string): Promise<boolean> {
    return (await this.size(uri)) !== undefined;
  }

  private async putNew(uri: string, body: PutObjectCommandInput['Body'], length: number): Promise<boolean> {
    if (await this.exists(uri)) return false;
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(uri), Body: body, ContentLength: length, IfNoneMatch: '*' }));
      return true;
    } catch (error) {
      // 412: the key exists; 409: a concurrent conditional write to it is in progress.
      if (statusOf(error) === 412 || statusOf(error) === 409) return false;
      throw error;
    }
  }

  create(uri: string, bytes: Uint8Array): Promise<boolean> {
    return this.putNew(uri, bytes, bytes.byteLength);
  }

  async createFromFile(uri: string, path: string): Promise<boolean> {
    const { size } = await stat(path);
    return this.putNew(uri, createReadStream(path), size);
  }

  async overwrite(uri: string, bytes: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(uri), Body: bytes, ContentLength: bytes.byteLength }));
  }

  /** Every object under the prefix (as a folder: `prefix/`), all pages. */
  async list(prefixUri: string): Promise<ObjectInfo[]> {
    const key = this.key(prefixUri);
    const prefix = key === '' ? '' : `${key}/`;
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined || o.Key.endsWith('/')) continue;
        out.push({ uri: this.uriOf(o.Key), size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async delete(uri: string): Promise<void> {
    const keys = [this.key(uri), ...(await this.list(uri)).map((o) => this.key(o.uri))];
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const out = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length > 0) throw new Error(`could not delete ${failed.length} objects under ${uri}: ${failed[0]!.Code} ${failed[0]!.Message ?? ''}`);
    }
  }

  localPath(): undefined {
    return undefined;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
