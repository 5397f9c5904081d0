import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { ValidationError } from '../domain/index.js';

/** Where the server's certificate and private key are (PEM files; the certificate may carry its chain). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** The PEM contents, checked: both parse, and the key is the certificate's. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/**
 * Reads and checks the server's certificate and key before anything starts, so a wrong path, a
 * file that is not PEM or a key of another certificate is refused by name at start instead of
 * failing every client's handshake later. Read again by each worker (`--workers`): the key travels
 * as a path, never through the environment or a message.
 */
export async function loadTls(files: TlsFiles): Promise<TlsCredentials> {
  const cert = await readPem(files.certFile, 'tls-cert');
  const key = await readPem(files.keyFile, 'tls-key');
  check(() => createSecureContext({ cert }), 'tls-cert', `'${files.certFile}' is not a PEM certificate`);
  check(() => createSecureContext({ key }), 'tls-key', `'${files.keyFile}' is not an unencrypted PEM private key`);
  check(() => createSecureContext({ cert, key }), 'tls-key', `'${files.keyFile}' is not the private key of the certificate in '${files.certFile}'`);
  return { cert, key };
}

async function readPem(path: string, field: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ValidationError(`${field}: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { field });
  }
}

function check(attempt: () => unknown, field: string, message: string): void {
  try {
    attempt();
  } catch (error) {
    // OpenSSL's own words, after ours (they never hold the key's bytes).
    throw new ValidationError(`${field}: ${message} (${(error as Error).message})`, { field, cause: error });
  }
}
