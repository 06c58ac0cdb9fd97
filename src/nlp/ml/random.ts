/** The one seeded PRNG of the project (mulberry32), so every training run is reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle in place with the given generator. */
export function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Seeded split of rows into (kept, held out); `frac` is the held-out share. */
export function seededSplit<T>(rows: T[], frac: number, seed = 7): [T[], T[]] {
  const rnd = mulberry32(seed);
  const a: T[] = [];
  const b: T[] = [];
  for (const r of rows) (rnd() < frac ? b : a).push(r);
  return [a, b];
}
