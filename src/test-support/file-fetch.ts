import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * Lets readers that speak only fetch (such as the icebird Iceberg reader) open file:// URIs:
 * answers HEAD with the size and GET with the bytes, honouring Range requests.
 */
export function installFileFetch(): () => void {
  const original = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('file://')) return original(input, init);
    const path = fileURLToPath(url);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return new Response(null, { status: 404 });
    }
    if (init?.method === 'HEAD') return new Response(null, { status: 200, headers: { 'content-length': String(size) } });
    const range = new Headers(init?.headers).get('range');
    const m = range ? /bytes=(\d+)-(\d*)/.exec(range) : null;
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(end - start + 1);
      await handle.read(buffer, 0, buffer.length, start);
      return new Response(buffer, { status: m ? 206 : 200, headers: { 'content-length': String(buffer.length) } });
    } finally {
      await handle.close();
    }
  }) as typeof fetch;
  return () => {
    globalThis.fetch = original;
  };
}
