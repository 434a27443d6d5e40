/**
 * A registry is an ordered list that features append to at import time (from their `register.ts`).
 * Reads return a sorted snapshot; ids are unique so a hot-reloaded module replaces its entry.
 */
export class Registry<T extends { id: string; order?: number }> {
  private entries = new Map<string, T>();

  constructor(readonly name: string) {}

  add(entry: T): T {
    this.entries.set(entry.id, entry);
    return entry;
  }

  remove(id: string) {
    this.entries.delete(id);
  }

  list(): T[] {
    return [...this.entries.values()].sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
  }

  get(id: string): T | undefined {
    return this.entries.get(id);
  }
}
