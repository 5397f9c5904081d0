import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { OfflineCommitEvent } from '../../ingest/index.js';
import type { ObjectCacheStats } from '../../offline/index.js';
import type { WriteStatus } from '../../records/write-entry.js';
import { PlainCounter, PlainHistogram, type CounterCell, type HistogramCell } from './plain-series.js';

/**
 * The server's Prometheus series, kept by prom-client in a registry of their own (several
 * servers in one process do not mix): requests and latency per operation, online lookups,
 * the write-ahead log's depth, offline commits, the local cache of a remote warehouse, and optionally Node's process metrics.
 *
 * The series every request touches (requests, latency, online lookups) are plain-series.ts
 * metrics, whose cells the request path keeps per operation and status; the rest are
 * prom-client's own.
 */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COMMIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** One process's series as prom-client's JSON. */
export type MetricsSnapshot = Array<MetricObjectWithValues<MetricValue<string>>>;

interface RequestSeries {
  latency: HistogramCell;
  byStatus: Map<number, CounterCell>;
}

export interface ServerMetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC) too; default false. */
  processMetrics?: boolean;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests = new PlainCounter('floe_requests_total', 'Requests answered, by operation and HTTP status.', ['operation', 'status']).register(this.registry);
  private readonly latency = new PlainHistogram('floe_request_duration_seconds', 'Time to answer a request, by operation.', ['operation'], LATENCY_BUCKETS).register(
    this.registry,
  );
  private readonly lookups = new PlainCounter('floe_online_lookups_total', 'Online store lookups of GetRecord and BatchGetRecord, by result.', ['result']).register(
    this.registry,
  );
  private readonly hits = this.lookups.child('hit');
  private readonly misses = this.lookups.child('miss');
  private readonly commits = new Counter({
    name: 'floe_offline_commits_total',
    help: 'Offline store commits of buffered rows, by outcome (failed ones are retried).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly committedRows = new Counter({
    name: 'floe_offline_committed_rows_total',
    help: 'Rows committed to the offline store from the write path.',
    registers: [this.registry],
  });
  private readonly commitLatency = new Histogram({
    name: 'floe_offline_commit_duration_seconds',
    help: 'Time an offline commit of buffered rows takes, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: COMMIT_BUCKETS,
    registers: [this.registry],
  });
  private readonly series = new Map<string, RequestSeries>();
  private others: (() => Promise<MetricsSnapshot[]>) | undefined;

  constructor(options: ServerMetricsOptions = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** One finished request: its operation (a bounded set of names), HTTP status and duration. */
  observeRequest(operation: string, status: number, seconds: number): void {
    let s = this.series.get(operation);
    if (!s) {
      s = { latency: this.latency.child(operation), byStatus: new Map() };
      this.series.set(operation, s);
    }
    let counter = s.byStatus.get(status);
    if (!counter) {
      counter = this.requests.child(operation, String(status));
      s.byStatus.set(status, counter);
    }
    counter.value++;
    s.latency.observe(seconds);
  }

  observeOnlineLookups(hits: number, misses: number): void {
    this.hits.value += hits;
    this.misses.value += misses;
  }

  /** The store's observer of offline commits (pass as `observer.offlineCommit` when opening it). */
  readonly observeOfflineCommit = (event: OfflineCommitEvent): void => {
    this.commits.labels(event.outcome).inc();
    this.commitLatency.labels(event.outcome).observe(event.seconds);
    if (event.outcome === 'committed') this.committedRows.inc(event.rows);
  };

  /** Gauges of the write path, read from the store at every scrape. */
  watchWritePath(status: () => WriteStatus): void {
    const gauge = (name: string, help: string, read: (s: WriteStatus) => number | bigint) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(Number(read(status())));
        },
      });
    gauge('floe_wal_pending_entries', 'Write-ahead log entries appended and not yet checkpointed (replayed by a restart).', (s) => s.pendingLogEntries);
    gauge('floe_wal_position', 'Position of the last write-ahead log entry on disk.', (s) => s.logPosition);
    gauge('floe_wal_checkpoint_position', 'Write-ahead log position up to which every store has the entries.', (s) => s.checkpointPosition);
    gauge('floe_offline_buffered_rows', 'Acknowledged rows waiting for an offline commit.', (s) => s.bufferedOfflineRows);
  }

  /**
   * Series of the local cache of a remote (S3) warehouse, read from the store at every scrape;
   * none for a local warehouse (`stats` gives undefined).
   */
  watchOfflineCache(stats: () => ObjectCacheStats | undefined): void {
    if (!stats()) return;
    const series = (name: string, help: string, read: (s: ObjectCacheStats) => Array<[Record<string, string>, number]>, labelNames: string[] = []) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          const current = stats();
          if (!current) return;
          for (const [labels, value] of read(current)) this.set(labels, value);
        },
      });
    series(
      'floe_offline_cache_requests_total',
      'Requests for files of the remote warehouse, by result (coalesced: joined a download under way).',
      (c) => [
        [{ result: 'hit' }, c.hits],
        [{ result: 'miss' }, c.misses],
        [{ result: 'coalesced' }, c.coalesced],
      ],
      ['result'],
    );
    series('floe_offline_cache_fetched_bytes_total', 'Bytes downloaded from the remote warehouse.', (c) => [[{}, c.fetchedBytes]]);
    series('floe_offline_cache_evictions_total', 'Files removed from the cache to keep it within its bound.', (c) => [[{}, c.evictions]]);
    series('floe_offline_cache_bytes', 'Bytes of files in the cache.', (c) => [[{}, c.bytes]]);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** This process's series, to be merged by another (see `include`). */
  snapshot(): Promise<MetricsSnapshot> {
    return this.registry.getMetricsAsJSON();
  }

  /**
   * Other processes' series, merged into what `render` answers (a server's worker processes):
   * counters and histograms are summed, process metrics merged as prom-client's cluster support does.
   */
  include(others: () => Promise<MetricsSnapshot[]>): void {
    this.others = others;
  }

  async render(): Promise<string> {
    if (!this.others) return this.registry.metrics();
    const all = [await this.snapshot(), ...(await this.others())];
    return AggregatorRegistry.aggregate(all).metrics();
  }
}
