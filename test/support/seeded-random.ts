/** A reproducible random number generator (mulberry32): the same seed gives the same faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed a run uses: FLOE_SEED when set, else a fixed default, printed so a failure can be replayed. */
export function runSeed(fallback: number): number {
  const text = process.env.FLOE_SEED;
  return text === undefined || text === '' ? fallback : Number(text);
}
