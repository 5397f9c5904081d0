import { randomBytes } from 'node:crypto';
import { chmod, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError, featureGroupNameSchema, parseOrThrow } from '../../domain/index.js';
import type { AccessKey, AccessRole } from '../../registry/index.js';
import type { AccessKeyStore } from '../../sdk/index.js';

export const ROLES: readonly AccessRole[] = ['admin', 'writer', 'reader'];
/** The credentials file a first start writes, in the shared-credentials format of the AWS tools. */
export const CREDENTIALS_FILE = 'credentials';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new key: a 20-character ID shaped like AWS's (prefix FLOE) and a 40-character random secret. */
export function generateAccessKey(role: AccessRole, featureGroups?: string[]): AccessKey {
  if (!ROLES.includes(role)) throw new ValidationError(`role: must be one of ${ROLES.join(', ')}, not '${String(role)}'`, { field: 'role' });
  if (featureGroups !== undefined) {
    if (featureGroups.length === 0) throw new ValidationError('featureGroups: name at least one feature group', { field: 'featureGroups' });
    featureGroups.forEach((name, i) => parseOrThrow(featureGroupNameSchema, name, `featureGroups[${i}]`));
  }
  const id = Array.from(randomBytes(16), (b) => ID_ALPHABET[b % 32]).join('');
  return {
    accessKeyId: `FLOE${id}`,
    secretAccessKey: randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B'),
    role,
    ...(featureGroups ? { featureGroups } : {}),
    createdAt: new Date(),
  };
}

export interface CredentialsSetup {
  /** Set when FLOE_ACCESS_KEY_ID / FLOE_SECRET_ACCESS_KEY are: an admin key outside the registry. */
  staticKey?: { accessKeyId: string; secretAccessKey: string };
  /** Where the credentials are, for the start banner (never the secret itself). */
  description: string;
  /** The file written on a first start, if this was one. */
  createdFile?: string;
}

/** The admin key of FLOE_ACCESS_KEY_ID / FLOE_SECRET_ACCESS_KEY, if both are set (one alone is a mistake). */
export function staticKeyFromEnv(env: NodeJS.ProcessEnv): { accessKeyId: string; secretAccessKey: string } | undefined {
  const id = env.FLOE_ACCESS_KEY_ID;
  const secret = env.FLOE_SECRET_ACCESS_KEY;
  if (!id && !secret) return undefined;
  if (!id || !secret) {
    const missing = id ? 'FLOE_SECRET_ACCESS_KEY' : 'FLOE_ACCESS_KEY_ID';
    throw new ValidationError(`${missing}: set both FLOE_ACCESS_KEY_ID and FLOE_SECRET_ACCESS_KEY, or neither`, { field: missing });
  }
  return { accessKeyId: id, secretAccessKey: secret };
}

/**
 * Decides where the server's credentials come from: the environment when both variables are
 * set; otherwise the registry's keys, creating an admin key (and a 0600 credentials file in the
 * data directory) when there are none at all.
 */
export async function setUpCredentials(keys: AccessKeyStore, dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<CredentialsSetup> {
  const staticKey = staticKeyFromEnv(env);
  if (staticKey) return { staticKey, description: `admin key ${staticKey.accessKeyId} from FLOE_ACCESS_KEY_ID / FLOE_SECRET_ACCESS_KEY` };
  const existing = await keys.listAccessKeys();
  if (existing.length > 0) {
    return { description: `${existing.length} access key(s) in the registry (floe keys list; first-start key in ${join(dataDir, CREDENTIALS_FILE)})` };
  }
  const key = generateAccessKey('admin');
  await keys.putAccessKey(key);
  const path = await writeCredentialsFile(dataDir, key);
  return { description: `admin key ${key.accessKeyId}, secret in ${path} (readable only by its owner)`, createdFile: path };
}

/** Writes `[default] aws_access_key_id / aws_secret_access_key` readable only by the owner (0600). */
export async function writeCredentialsFile(dataDir: string, key: AccessKey): Promise<string> {
  const path = join(dataDir, CREDENTIALS_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  const text = `# Floe admin key created on first start. Use with AWS_SHARED_CREDENTIALS_FILE=${path}\n[default]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`;
  await writeFile(temp, text, { mode: 0o600, flag: 'w' });
  await chmod(temp, 0o600); // the umask cannot widen it, but a pre-existing temp file could be wider
  await rename(temp, path);
  return path;
}
