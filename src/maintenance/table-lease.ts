import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ResourceInUseError } from '../domain/index.js';
import type { Registry } from '../registry/registry.js';

export type LeaseStore = Pick<Registry, 'acquireLease' | 'renewLease' | 'releaseLease' | 'getLease'>;

export interface LeaseOptions {
  /** How long a lease lasts without renewal (default 60 s); a holder that dies frees it after this. */
  ttlMs?: number;
}

/** A lease we hold: renewed in the background until released. */
export interface HeldLease {
  readonly name: string;
  /** Whether a renewal failed (another holder took it after it expired): the work should stop. */
  readonly lost: boolean;
  release(): Promise<void>;
}

/**
 * Exclusive, expiring claims on named resources, shared by every process over one registry:
 * `maintenance:<table>` for a maintenance run, and any other name for other fleet-wide work
 * (a scheduler electing one runner per schedule, say). Within a process a claim is also taken
 * in memory first, so two calls never race to the registry for the same name. Holders are
 * `host:pid:uuid`; a lease whose holder is a dead process on this host is taken over at once
 * rather than after its expiry (a run killed midway does not block the next for a minute).
 */
export class LeaseManager {
  private readonly held = new Set<string>();
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly ttlMs: number;

  constructor(
    private readonly store: LeaseStore,
    options: LeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
  }

  /** Takes the lease or throws ResourceInUseError naming who holds it. */
  async acquire(name: string): Promise<HeldLease> {
    if (this.held.has(name)) throw new ResourceInUseError(`${name}: a run is already in progress in this process`);
    this.held.add(name);
    try {
      let ok = await this.store.acquireLease(name, this.holder, this.ttlMs);
      if (!ok) {
        const current = await this.store.getLease(name);
        if (current && isDeadLocalHolder(current.holder)) ok = await this.store.acquireLease(name, this.holder, this.ttlMs, { replacing: current.holder });
        if (!ok) {
          throw new ResourceInUseError(
            `${name}: a run is in progress elsewhere (${current?.holder ?? 'another process'}, lease until ${current?.expiresAt.toISOString() ?? 'soon'})`,
          );
        }
      }
    } catch (error) {
      this.held.delete(name);
      throw error;
    }
    return this.heartbeat(name);
  }

  private heartbeat(name: string): HeldLease {
    let lost = false;
    const timer = setInterval(() => {
      this.store.renewLease(name, this.holder, this.ttlMs).then(
        (ok) => {
          if (!ok) lost = true;
        },
        () => undefined, // a failed renewal is retried on the next beat; expiry is the backstop
      );
    }, Math.max(50, Math.floor(this.ttlMs / 3)));
    timer.unref();
    let released = false;
    return {
      name,
      get lost() {
        return lost;
      },
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        this.held.delete(name);
        await this.store.releaseLease(name, this.holder);
      },
    };
  }
}

/** A holder named `host:pid:...` on this host whose process no longer exists. */
export function isDeadLocalHolder(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
