/**
 * A bounded memo of recent keys and values, oldest dropped first. Lets a turn skip a write whose
 * result is already in the database (the memo is only a shortcut: after a restart it starts empty).
 */
export class RecentKeys<V = true> {
  private readonly map = new Map<string, V>();

  constructor(private readonly max = 10_000) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}
