/** A candidate item by its slot in the index, with its score. */
export interface Ranked {
  slot: number;
  score: number;
}

/** Inserts into a best-first list of at most `limit`; equal scores keep the lower slot first. */
export function insertRanked(best: Ranked[], item: Ranked, limit: number): void {
  let position = best.length;
  while (position > 0) {
    const above = best[position - 1] as Ranked;
    if (above.score > item.score || (above.score === item.score && above.slot < item.slot)) break;
    position--;
  }
  if (position >= limit) return;
  best.splice(position, 0, item);
  if (best.length > limit) best.pop();
}

export function isRanked(best: readonly Ranked[], slot: number): boolean {
  for (const ranked of best) if (ranked.slot === slot) return true;
  return false;
}

/** The `count` slots among the first `slotCount` of `slots` with the highest scores, in one pass. */
export function strongest(
  slots: Int32Array,
  slotCount: number,
  scores: Float32Array,
  count: number,
): number[] {
  const chosen: number[] = [];
  for (let rank = 0; rank < slotCount; rank++) {
    const slot = slots[rank] as number;
    const score = scores[slot] as number;
    let position = chosen.length;
    while (position > 0 && (scores[chosen[position - 1] as number] as number) < score) position--;
    if (position >= count) continue;
    chosen.splice(position, 0, slot);
    if (chosen.length > count) chosen.pop();
  }
  return chosen;
}
