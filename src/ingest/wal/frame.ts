import { crc32 } from 'node:zlib';

/**
 * One log entry on disk: length (u32) | crc32 of lsn+payload (u32) | lsn (u64) | payload.
 * The checksum lets a reader find where a torn or corrupted tail starts.
 */
export const HEADER_BYTES = 16;

/** A payload's size on disk (text is written as UTF-8). */
export function payloadBytes(payload: Uint8Array | string): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}

export function encodeFrame(lsn: bigint, payload: Uint8Array | string, into: Buffer, offset: number): number {
  const start = offset + HEADER_BYTES;
  const length = typeof payload === 'string' ? into.write(payload, start) : (into.set(payload, start), payload.length);
  into.writeUInt32LE(length, offset);
  into.writeBigUInt64LE(lsn, offset + 8);
  into.writeUInt32LE(crc32(into.subarray(offset + 8, start + length)), offset + 4);
  return start + length;
}

export interface Frame {
  lsn: bigint;
  payload: Buffer;
  /** Offset just past this frame. */
  end: number;
}

/** Reads the frame at `offset`, or undefined when the bytes there are not a whole, intact frame. */
export function decodeFrame(buffer: Buffer, offset: number): Frame | undefined {
  if (offset + HEADER_BYTES > buffer.length) return undefined;
  const length = buffer.readUInt32LE(offset);
  const end = offset + HEADER_BYTES + length;
  if (end > buffer.length) return undefined;
  const checksum = buffer.readUInt32LE(offset + 4);
  if (crc32(buffer.subarray(offset + 8, end)) !== checksum) return undefined;
  return { lsn: buffer.readBigUInt64LE(offset + 8), payload: buffer.subarray(offset + HEADER_BYTES, end), end };
}
