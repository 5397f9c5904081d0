import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Snapshot } from '../api/types.js';

/**
 * Data files and rows of the table after each snapshot, oldest first: appends climb, a
 * compaction shows as a drop in files with rows unchanged, retention and purges as drops in rows.
 */
export function SnapshotChart({ snapshots }: { snapshots: Snapshot[] }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element || snapshots.length === 0) return;
    const data: uPlot.AlignedData = [
      snapshots.map((_s, i) => i + 1),
      snapshots.map((s) => Number(s.summary['total-data-files'] ?? NaN)),
      snapshots.map((s) => Number(s.summary['total-records'] ?? NaN)),
    ];
    const plot = new uPlot(
      {
        width: element.clientWidth || 640,
        height: 240,
        scales: { x: { time: false }, files: { auto: true }, rows: { auto: true } },
        axes: [
          { label: 'snapshot', stroke: '#555', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000] },
          { scale: 'files', label: 'data files', stroke: '#1f6feb' },
          { scale: 'rows', label: 'rows', side: 1, stroke: '#b35900', grid: { show: false } },
        ],
        series: [
          { label: 'snapshot' },
          { label: 'data files', scale: 'files', stroke: '#1f6feb', width: 2, points: { show: snapshots.length < 60 } },
          { label: 'rows', scale: 'rows', stroke: '#b35900', width: 2, points: { show: snapshots.length < 60 } },
        ],
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [snapshots]);
  if (snapshots.length === 0) return <p class="muted">No snapshots yet: nothing has been committed to the offline store.</p>;
  return <div class="chart" ref={container} data-testid="snapshot-chart" />;
}
