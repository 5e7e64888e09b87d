import { resized } from './typed-arrays.js';

/**
 * The items holding one feature, with the feature's normalised weight in each (its value divided by the
 * item's norm: what a search adds up, with no look-up per entry), and what the feature weighs.
 */
export class PostingList {
  slots: Int32Array;
  shares: Float32Array;
  length = 0;
  /** Rarity weight (IDF), fixed between two refreshes of the index so that all scores use one weighting. */
  rarity: number;
  /** The largest share: bounds what this feature can add to any item's score. */
  maxShare = 0;
  /**
   * For common features, one bit per slot telling whether the item has the feature: a search can rule
   * the feature out for a candidate without reading the candidate's vector.
   */
  members: Int32Array | undefined;

  constructor(rarity: number, capacity = 2) {
    this.rarity = rarity;
    this.slots = new Int32Array(capacity);
    this.shares = new Float32Array(capacity);
  }

  append(slot: number, share: number): void {
    if (this.length === this.slots.length) {
      this.slots = resized(this.slots, this.length * 2);
      this.shares = resized(this.shares, this.length * 2);
    }
    this.slots[this.length] = slot;
    this.shares[this.length] = share;
    this.length++;
    if (this.members) setBit(this.members, slot);
    if (share > this.maxShare) this.maxShare = share;
  }

  /** Removes a slot (the last entry takes its place); the max share stays as an upper bound. */
  remove(slot: number): void {
    const last = this.length - 1;
    for (let entry = last; entry >= 0; entry--) {
      if (this.slots[entry] !== slot) continue;
      this.slots[entry] = this.slots[last] as number;
      this.shares[entry] = this.shares[last] as number;
      this.length--;
      if (this.members) clearBit(this.members, slot);
      return;
    }
  }

  /** Empties the list for a rebuild, with room for `capacity` entries. */
  reset(capacity: number): void {
    this.length = 0;
    this.maxShare = 0;
    if (this.slots.length !== capacity) {
      this.slots = new Int32Array(capacity);
      this.shares = new Float32Array(capacity);
    }
  }

  /** Builds the membership bitset for a slot space of `slotCapacity`. */
  trackMembers(slotCapacity: number): void {
    const members = new Int32Array(slotCapacity >>> 5);
    for (let entry = 0; entry < this.length; entry++) setBit(members, this.slots[entry] as number);
    this.members = members;
  }
}

function setBit(bits: Int32Array, slot: number): void {
  bits[slot >>> 5] = (bits[slot >>> 5] as number) | (1 << (slot & 31));
}

function clearBit(bits: Int32Array, slot: number): void {
  bits[slot >>> 5] = (bits[slot >>> 5] as number) & ~(1 << (slot & 31));
}

export function hasMember(bits: Int32Array, slot: number): boolean {
  return ((bits[slot >>> 5] as number) & (1 << (slot & 31))) !== 0;
}
