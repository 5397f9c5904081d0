/**
 * Tracks log positions from append until every store has them, to tell the write-ahead log how
 * far it may checkpoint: everything at or below the low watermark is applied everywhere.
 */
export class PositionTracker {
  private readonly outstanding = new Set<bigint>();
  private highest = 0n;

  constructor(start: bigint) {
    this.highest = start;
  }

  begin(positions: Iterable<bigint>): void {
    for (const p of positions) {
      this.outstanding.add(p);
      if (p > this.highest) this.highest = p;
    }
  }

  end(positions: Iterable<bigint>): void {
    for (const p of positions) this.outstanding.delete(p);
  }

  /** The highest position P such that nothing at or below P is outstanding. */
  lowWatermark(): bigint {
    let min: bigint | undefined;
    for (const p of this.outstanding) if (min === undefined || p < min) min = p;
    return min === undefined ? this.highest : min - 1n;
  }
}
