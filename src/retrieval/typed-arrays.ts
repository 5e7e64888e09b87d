type NumberArray = Int32Array | Uint32Array | Float32Array | Float64Array;

/** The smallest power-of-two multiple of `current` that holds `needed` elements. */
export function doubledCapacity(current: number, needed: number): number {
  let capacity = Math.max(1, current);
  while (capacity < needed) capacity *= 2;
  return capacity;
}

/** A new array of the same kind with `capacity` elements, starting with the first `keep` of `array`. */
export function resized<T extends NumberArray>(array: T, capacity: number, keep = array.length): T {
  const copy = new (array.constructor as new (length: number) => T)(capacity);
  copy.set(array.subarray(0, Math.min(keep, capacity)) as never);
  return copy;
}
