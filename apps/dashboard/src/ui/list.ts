/** Moves item i by d places (reorder with ↑/↓ buttons, keyboard-friendly); out of range leaves it. */
export function moved<T>(list: T[], i: number, d: number): T[] {
  const j = i + d;
  if (j < 0 || j >= list.length) return list;
  const out = [...list];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}
