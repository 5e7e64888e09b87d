import type { SparseVector } from './sparse-vector.js';
import { doubledCapacity, resized } from './typed-arrays.js';

/**
 * Sparse vectors of many items packed into two shared typed arrays: one allocation instead of two per
 * item, and a scan that stays in contiguous memory. Released ranges are reclaimed by compacting once they
 * make up half of the arena.
 */
export class VectorArena {
  features = new Uint32Array(4096);
  values = new Float32Array(4096);
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private used = 0;
  private released = 0;

  startOf(slot: number): number {
    return this.starts[slot] as number;
  }

  lengthOf(slot: number): number {
    return this.lengths[slot] as number;
  }

  /** One past the slot's last entry. */
  endOf(slot: number): number {
    return (this.starts[slot] as number) + (this.lengths[slot] as number);
  }

  store(slot: number, vector: SparseVector): void {
    this.ensureSlots(slot + 1);
    const length = vector.indices.length;
    this.ensureRoom(length);
    this.features.set(vector.indices, this.used);
    this.values.set(vector.values, this.used);
    this.starts[slot] = this.used;
    this.lengths[slot] = length;
    this.used += length;
  }

  release(slot: number): void {
    this.released += this.lengths[slot] as number;
    this.lengths[slot] = 0;
  }

  private ensureSlots(slots: number): void {
    if (slots <= this.starts.length) return;
    const capacity = doubledCapacity(this.starts.length, slots);
    this.starts = resized(this.starts, capacity);
    this.lengths = resized(this.lengths, capacity);
  }

  private ensureRoom(length: number): void {
    if (this.used + length <= this.features.length) return;
    // Room for twice the live data, so that growth stays amortised.
    const twiceLive = 2 * (this.used - this.released + length);
    if (this.released * 2 >= this.used) {
      this.compactInto(doubledCapacity(this.features.length, twiceLive));
    } else {
      const capacity = doubledCapacity(this.features.length, Math.max(twiceLive, this.used + length));
      this.features = resized(this.features, capacity, this.used);
      this.values = resized(this.values, capacity, this.used);
    }
  }

  /**
   * Moves the vector of slot order[i] to slot i, packed into fresh arrays with an eighth of the live size
   * free for growth; slots from order.length on are left empty.
   */
  reorder(order: Int32Array): void {
    let live = 0;
    for (const slot of order) live += this.lengths[slot] as number;
    this.moveInto(order, Math.max(4096, live + Math.ceil(live / 8)));
  }

  /** Copies the live ranges, each slot staying where it is, into fresh arrays of `capacity`. */
  private compactInto(capacity: number): void {
    this.moveInto(
      Int32Array.from({ length: this.starts.length }, (_, slot) => slot),
      capacity,
    );
  }

  /** Copies the vector of slot order[i] into slot i of fresh arrays of `capacity`, packed. */
  private moveInto(order: Int32Array, capacity: number): void {
    const features = new Uint32Array(capacity);
    const values = new Float32Array(capacity);
    const starts = new Int32Array(this.starts.length);
    const lengths = new Int32Array(this.lengths.length);
    let used = 0;
    order.forEach((slot, target) => {
      const start = this.starts[slot] as number;
      const length = this.lengths[slot] as number;
      features.set(this.features.subarray(start, start + length), used);
      values.set(this.values.subarray(start, start + length), used);
      starts[target] = used;
      lengths[target] = length;
      used += length;
    });
    this.features = features;
    this.values = values;
    this.starts = starts;
    this.lengths = lengths;
    this.used = used;
    this.released = 0;
  }
}
