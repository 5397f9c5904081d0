import type { Metric, MetricValue, MetricValueWithName, Registry } from 'prom-client';

/**
 * A counter and a histogram for the request path, kept as plain numbers in cells that callers
 * hold per label values, and handed to a prom-client registry as metrics of prom-client's own
 * shape (its text, its JSON, its cluster aggregation stay as they are). prom-client's Counter
 * and Histogram hash the label values on every observation, even through a cached `labels()`
 * child, and key each bucket by its bound turned to text: in `floe serve` that was 6-9 µs of a
 * 60 µs native GetRecord (bench:serve, side by side). Here an observation is a few additions.
 */

type Labels = Record<string, string | number>;

/** A metric as prom-client's registries read it (`get()`), render it and aggregate it across processes. */
export interface PlainMetricJson {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Array<MetricValue<string> | MetricValueWithName<string>>;
  aggregator: 'sum';
}

abstract class PlainMetric<Cell> {
  private readonly cells = new Map<string, { labels: Labels; cell: Cell }>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  /** The cell of these label values (in labelNames' order), made on first use: keep it, and observe into it. */
  child(...values: string[]): Cell {
    const key = values.join('\u0000');
    let entry = this.cells.get(key);
    if (!entry) {
      entry = { labels: Object.fromEntries(this.labelNames.map((n, i) => [n, values[i]!])), cell: this.newCell() };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  /** Registers this metric in `registry`, as prom-client's own metrics register. */
  register(registry: Registry): this {
    // The registry asks a metric for name, help, type and get() only (prom-client's Metric type is its classes).
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  protected abstract newCell(): Cell;
  protected abstract valuesOf(labels: Labels, cell: Cell): Array<MetricValue<string> | MetricValueWithName<string>>;
  abstract readonly type: 'counter' | 'histogram';

  /** prom-client's JSON of this metric (what its registry renders and aggregates). */
  async get(): Promise<PlainMetricJson> {
    const values = [...this.cells.values()].flatMap(({ labels, cell }) => this.valuesOf(labels, cell));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }

  reset(): void {
    this.cells.clear();
  }
}

export interface CounterCell {
  value: number;
}

export class PlainCounter extends PlainMetric<CounterCell> {
  readonly type = 'counter';
  protected newCell(): CounterCell {
    return { value: 0 };
  }
  protected valuesOf(labels: Labels, cell: CounterCell) {
    return [{ labels, value: cell.value }];
  }
}

export class HistogramCell {
  /** Observations per bucket (not cumulative); the last counts those above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class PlainHistogram extends PlainMetric<HistogramCell> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  protected newCell(): HistogramCell {
    return new HistogramCell(this.bounds);
  }

  protected valuesOf(labels: Labels, cell: HistogramCell) {
    const bucket = `${this.name}_bucket`;
    let cumulative = 0;
    const values: Array<MetricValueWithName<string>> = this.bounds.map((le, i) => {
      cumulative += cell.counts[i]!;
      return { labels: { le, ...labels }, value: cumulative, metricName: bucket };
    });
    values.push(
      { labels: { le: '+Inf', ...labels }, value: cell.count, metricName: bucket },
      { labels, value: cell.sum, metricName: `${this.name}_sum` },
      { labels, value: cell.count, metricName: `${this.name}_count` },
    );
    return values;
  }
}
