import type { ObjectCacheStats } from '../../offline/index.js';

/**
 * Prometheus text exposition (format 0.0.4) for the few series the server keeps: request
 * counts and latency histograms per operation, online lookup hits and misses, and the offline
 * cache of a remote warehouse. Kept tiny on purpose; prom-client would replace it if it becomes
 * a dependency.
 */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

export class ServerMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly lookups = { hit: 0, miss: 0 };

  /** One finished request: its operation (a bounded set of names), HTTP status and duration. */
  observeRequest(operation: string, status: number, seconds: number): void {
    const key = `${operation}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let h = this.latency.get(operation);
    if (!h) {
      h = { buckets: new Array<number>(LATENCY_BUCKETS.length).fill(0), sum: 0, count: 0 };
      this.latency.set(operation, h);
    }
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) h.buckets[i]!++;
    h.sum += seconds;
    h.count++;
  }

  observeOnlineLookups(hits: number, misses: number): void {
    this.lookups.hit += hits;
    this.lookups.miss += misses;
  }

  /** `cache`: the offline cache's counters, for a remote warehouse. */
  render(cache?: ObjectCacheStats): string {
    const out: string[] = [
      '# HELP floe_requests_total Requests answered, by operation and HTTP status.',
      '# TYPE floe_requests_total counter',
    ];
    for (const [key, n] of this.requests) {
      const [operation, status] = key.split('\u0000');
      out.push(`floe_requests_total{operation="${escape(operation!)}",status="${status}"} ${n}`);
    }
    out.push('# HELP floe_request_duration_seconds Time to answer a request, by operation.', '# TYPE floe_request_duration_seconds histogram');
    for (const [operation, h] of this.latency) {
      const op = escape(operation);
      LATENCY_BUCKETS.forEach((le, i) => out.push(`floe_request_duration_seconds_bucket{operation="${op}",le="${le}"} ${h.buckets[i]}`));
      out.push(`floe_request_duration_seconds_bucket{operation="${op}",le="+Inf"} ${h.count}`);
      out.push(`floe_request_duration_seconds_sum{operation="${op}"} ${h.sum}`);
      out.push(`floe_request_duration_seconds_count{operation="${op}"} ${h.count}`);
    }
    out.push(
      '# HELP floe_online_lookups_total Online store lookups of GetRecord and BatchGetRecord, by result.',
      '# TYPE floe_online_lookups_total counter',
      `floe_online_lookups_total{result="hit"} ${this.lookups.hit}`,
      `floe_online_lookups_total{result="miss"} ${this.lookups.miss}`,
    );
    if (cache) {
      out.push(
        '# HELP floe_offline_cache_requests_total Requests for files of the remote warehouse, by result (coalesced: joined a download under way).',
        '# TYPE floe_offline_cache_requests_total counter',
        `floe_offline_cache_requests_total{result="hit"} ${cache.hits}`,
        `floe_offline_cache_requests_total{result="miss"} ${cache.misses}`,
        `floe_offline_cache_requests_total{result="coalesced"} ${cache.coalesced}`,
        '# HELP floe_offline_cache_fetched_bytes_total Bytes downloaded from the remote warehouse.',
        '# TYPE floe_offline_cache_fetched_bytes_total counter',
        `floe_offline_cache_fetched_bytes_total ${cache.fetchedBytes}`,
        '# HELP floe_offline_cache_evictions_total Files removed from the cache to keep it within its bound.',
        '# TYPE floe_offline_cache_evictions_total counter',
        `floe_offline_cache_evictions_total ${cache.evictions}`,
        '# HELP floe_offline_cache_bytes Bytes of files in the cache.',
        '# TYPE floe_offline_cache_bytes gauge',
        `floe_offline_cache_bytes ${cache.bytes}`,
      );
    }
    return `${out.join('\n')}\n`;
  }
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
