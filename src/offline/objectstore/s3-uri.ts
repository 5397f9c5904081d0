import { ValidationError } from '../../domain/index.js';

/** How to reach an S3-compatible store (AWS S3, MinIO, R2, Ceph, ...). */
export interface S3Options {
  /** Endpoint URL for a store other than AWS S3, e.g. `http://minio:9000`. */
  endpoint?: string;
  /** Default: AWS_REGION, else `us-east-1`. */
  region?: string;
  /** Default: the AWS SDK's credential chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Path-style URLs (`endpoint/bucket/key`), which most self-hosted stores need. Default: true when an endpoint is given. */
  forcePathStyle?: boolean;
}

/** Parses `s3://bucket/prefix` into its parts; ValidationError naming `warehouse` otherwise. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  const bucket = m?.[1];
  if (!bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ValidationError(`warehouse: '${uri}' is not an s3://bucket/prefix URI with a valid bucket name`, { field: 'warehouse' });
  }
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  if (prefix.split('/').some((s) => s === '..' || s === '.' || (s === '' && prefix !== ''))) {
    throw new ValidationError(`warehouse: '${uri}' has an empty, '.' or '..' path segment`, { field: 'warehouse' });
  }
  return { bucket, prefix };
}
