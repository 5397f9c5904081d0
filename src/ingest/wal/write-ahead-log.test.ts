import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteAheadLog } from './write-ahead-log.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

async function replayAll(log: WriteAheadLog, from = 0n): Promise<Array<[bigint, string]>> {
  const out: Array<[bigint, string]> = [];
  await log.replay(from, (lsn, payload) => {
    out.push([lsn, str(payload)]);
  });
  return out;
}

describe('WriteAheadLog', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-wal-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('assigns increasing positions to concurrent appends and replays them after reopening', async () => {
    const log = await WriteAheadLog.open({ dir });
    const lsns = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(text(`e${i}`))));
    expect(lsns).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i + 1)));
    await log.close();
    await expect(log.append(text('late'))).rejects.toThrow(/closed/);
    const again = await WriteAheadLog.open({ dir });
    const entries = await replayAll(again);
    expect(entries.map(([, p]) => p)).toEqual(Array.from({ length: 200 }, (_, i) => `e${i}`));
    expect(await again.append(text('next'))).toBe(201n);
    await again.close();
  });

  it('rolls segments, and a checkpoint removes those wholly applied', async () => {
    const log = await WriteAheadLog.open({ dir, segmentBytes: 1024 });
    for (let i = 0; i < 100; i++) await log.append(text(`entry-number-${i}`.padEnd(40, '.')));
    const before = (await readdir(dir)).filter((f) => f.endsWith('.wal'));
    expect(before.length).toBeGreaterThan(3);
    await log.checkpoint(80n);
    const after = (await readdir(dir)).filter((f) => f.endsWith('.wal'));
    expect(after.length).toBeLessThan(before.length);
    expect((await replayAll(log, log.checkpointPosition)).map(([lsn]) => lsn)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(81 + i)));
    await log.close();
    const again = await WriteAheadLog.open({ dir, segmentBytes: 1024 });
    expect(again.checkpointPosition).toBe(80n);
    expect((await replayAll(again, again.checkpointPosition))[0]![0]).toBe(81n);
    await again.close();
  });

  it('cuts a torn tail and a corrupted last entry, keeping everything before', async () => {
    const log = await WriteAheadLog.open({ dir });
    for (let i = 0; i < 10; i++) await log.append(text(`e${i}`));
    await log.close();
    const [segment] = (await readdir(dir)).filter((f) => f.endsWith('.wal'));
    const path = join(dir, segment!);
    const size = (await stat(path)).size;
    await truncate(path, size - 3); // torn write of the last entry
    let again = await WriteAheadLog.open({ dir });
    expect((await replayAll(again)).map(([, p]) => p)).toEqual(Array.from({ length: 9 }, (_, i) => `e${i}`));
    expect(await again.append(text('e9b'))).toBe(10n);
    await again.close();
    const bytes = await readFile(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1); // flip a byte of the last payload
    await writeFile(path, bytes);
    again = await WriteAheadLog.open({ dir });
    const entries = await replayAll(again);
    expect(entries.map(([, p]) => p)).toEqual(Array.from({ length: 9 }, (_, i) => `e${i}`));
    await again.close();
  });

  it('keeps every acknowledged entry through a SIGKILL', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/append-forever.mjs', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.split('\n').length > 2000) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        resolve();
      });
      child.on('error', reject);
    });
    await new Promise((resolve) => child.once('exit', resolve).once('close', resolve));
    const acknowledged = output
      .split('\n')
      .filter((line) => /^\d+ payload-\d+$/.test(line))
      .map((line) => line.split(' ') as [string, string]);
    expect(acknowledged.length).toBeGreaterThan(2000);
    const log = await WriteAheadLog.open({ dir, segmentBytes: 64 * 1024 });
    const replayed = new Map((await replayAll(log)).map(([lsn, p]) => [lsn.toString(), p]));
    for (const [lsn, payload] of acknowledged) expect(replayed.get(lsn)).toBe(payload);
    const lsns = [...replayed.keys()].map(BigInt);
    expect(lsns).toEqual(lsns.map((_, i) => BigInt(i + 1))); // no gaps, no repeats
    await log.close();
  });
});
