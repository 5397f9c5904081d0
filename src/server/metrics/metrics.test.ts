import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFeatureGroupCommand } from '@aws-sdk/client-sagemaker';
import { GetRecordCommand, PutRecordCommand } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/** /metrics of a listening server: the write path's depth and commits, lookups, process metrics. */
describe('server metrics', () => {
  let t: TestServer;
  const scrape = async () => (await fetch(`${t.server.url}/metrics`)).text();
  const value = (text: string, series: string) => {
    const escaped = series.replace(/[{}"=]/g, (c) => `\\${c}`);
    const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };

  beforeAll(async () => {
    // Offline commits only on flush, so what the log holds in between is known exactly.
    t = await startTestServer({ serve: { offlineCommit: { maxDelayMs: 3_600_000 } } });
    await t.sagemaker().send(
      new CreateFeatureGroupCommand({
        FeatureGroupName: 'clicks',
        RecordIdentifierFeatureName: 'id',
        EventTimeFeatureName: 'ts',
        FeatureDefinitions: [
          { FeatureName: 'id', FeatureType: 'String' },
          { FeatureName: 'ts', FeatureType: 'Fractional' },
          { FeatureName: 'n', FeatureType: 'Integral' },
        ],
        OnlineStoreConfig: { EnableOnlineStore: true },
        OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://unused/' } },
      }),
    );
  });
  afterAll(() => t.stop());

  it('shows log entries waiting for an offline commit, then the commit and the emptied log', async () => {
    const before = await scrape();
    const base = value(before, 'floe_wal_pending_entries') ?? Number.NaN;
    const rt = t.runtime();
    for (let i = 0; i < 5; i++) {
      await rt.send(new PutRecordCommand({ FeatureGroupName: 'clicks', Record: [{ FeatureName: 'id', ValueAsString: `c${i}` }, { FeatureName: 'ts', ValueAsString: '1700000000' }, { FeatureName: 'n', ValueAsString: String(i) }] }));
    }
    const waiting = await scrape();
    expect(value(waiting, 'floe_wal_pending_entries')).toBe(base + 5);
    expect(value(waiting, 'floe_offline_buffered_rows')).toBe(5);
    expect(value(waiting, 'floe_offline_commits_total{outcome="committed"}') ?? 0).toBe(0);
    expect(value(waiting, 'floe_wal_position')! - value(waiting, 'floe_wal_checkpoint_position')!).toBe(base + 5);

    await t.server.store.featureGroup('clicks').flush();
    const committed = await scrape();
    expect(value(committed, 'floe_offline_commits_total{outcome="committed"}')).toBe(1);
    expect(value(committed, 'floe_offline_committed_rows_total')).toBe(5);
    expect(value(committed, 'floe_offline_commit_duration_seconds_count{outcome="committed"}')).toBe(1);
    expect(value(committed, 'floe_offline_commit_duration_seconds_sum{outcome="committed"}')).toBeGreaterThan(0);
    expect(value(committed, 'floe_offline_buffered_rows')).toBe(0);
    expect(value(committed, 'floe_wal_pending_entries')).toBe(0);
  });

  it('counts online hits and misses, and exposes the process metrics', async () => {
    const rt = t.runtime();
    await rt.send(new GetRecordCommand({ FeatureGroupName: 'clicks', RecordIdentifierValueAsString: 'c1' }));
    await rt.send(new GetRecordCommand({ FeatureGroupName: 'clicks', RecordIdentifierValueAsString: 'c1' }));
    await rt.send(new GetRecordCommand({ FeatureGroupName: 'clicks', RecordIdentifierValueAsString: 'absent' }));
    const text = await scrape();
    expect(value(text, 'floe_online_lookups_total{result="hit"}')).toBe(2);
    expect(value(text, 'floe_online_lookups_total{result="miss"}')).toBe(1);
    expect(value(text, 'floe_requests_total{operation="GetRecord",status="200"}')).toBe(3);
    expect(value(text, 'floe_request_duration_seconds_count{operation="GetRecord"}')).toBe(3);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
  });
});
