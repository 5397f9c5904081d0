import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PlainCounter, PlainHistogram } from './plain-series.js';

const BOUNDS = [0.001, 0.01, 0.1];
const observations: Array<[operation: string, status: string, seconds: number]> = [
  ['GetRecord', '200', 0.0004],
  ['GetRecord', '200', 0.001], // on a bound: counted in it, as Prometheus says (le)
  ['GetRecord', '404', 0.05],
  ['PutRecord', '200', 0.2], // above every bound
  ['PutRecord', '400', 0.01],
  ['GetRecord', '200', 0.0099],
];

/** The same series both ways: prom-client's own metrics, and the plain ones. */
function registries() {
  const own = new Registry();
  const counter = new Counter({ name: 'req_total', help: 'requests', labelNames: ['operation', 'status'], registers: [own] });
  const histogram = new Histogram({ name: 'req_seconds', help: 'latency', labelNames: ['operation'], buckets: BOUNDS, registers: [own] });
  const plain = new Registry();
  const plainCounter = new PlainCounter('req_total', 'requests', ['operation', 'status']).register(plain);
  const plainHistogram = new PlainHistogram('req_seconds', 'latency', ['operation'], BOUNDS).register(plain);
  for (const [operation, status, seconds] of observations) {
    counter.labels(operation, status).inc();
    histogram.labels(operation).observe(seconds);
    plainCounter.child(operation, status).value++;
    plainHistogram.child(operation).observe(seconds);
  }
  return { own, plain };
}

describe('plain series', () => {
  it('render the text prom-client renders for the same observations', async () => {
    const { own, plain } = registries();
    expect(await plain.metrics()).toBe(await own.metrics());
  });

  it('aggregate across processes as prom-client does (workers summed by the primary)', async () => {
    const a = registries();
    const b = registries();
    const own = AggregatorRegistry.aggregate([await a.own.getMetricsAsJSON(), await b.own.getMetricsAsJSON()]);
    const plain = AggregatorRegistry.aggregate([await a.plain.getMetricsAsJSON(), await b.plain.getMetricsAsJSON()]);
    expect(await plain.metrics()).toBe(await own.metrics());
    expect(await plain.metrics()).toContain('req_total{operation="GetRecord",status="200"} 6');
  });
});
