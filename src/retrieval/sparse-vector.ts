/** A sparse vector: feature ids in ascending order, no repeats, with their weights. */
export interface SparseVector {
  readonly indices: Uint32Array;
  readonly values: Float32Array;
}

/** Builds a unit-length sparse vector from feature weights (duplicate features add up). */
export function sparseVectorFromWeights(weights: Map<number, number>): SparseVector {
  const indices = Uint32Array.from(weights.keys()).sort();
  const values = new Float32Array(indices.length);
  let squares = 0;
  for (const weight of weights.values()) squares += weight * weight;
  const norm = Math.sqrt(squares) || 1;
  for (let position = 0; position < indices.length; position++) {
    values[position] = (weights.get(indices[position] as number) as number) / norm;
  }
  return { indices, values };
}

/** Little-endian layout: u32 count, count × u32 feature ids, count × f32 weights. */
export function encodeSparseVector(vector: SparseVector): Buffer {
  const count = vector.indices.length;
  const buffer = Buffer.alloc(4 + count * 8);
  buffer.writeUInt32LE(count, 0);
  for (let position = 0; position < count; position++) {
    buffer.writeUInt32LE(vector.indices[position] as number, 4 + position * 4);
    buffer.writeFloatLE(vector.values[position] as number, 4 + count * 4 + position * 4);
  }
  return buffer;
}

export function decodeSparseVector(buffer: Uint8Array): SparseVector {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const count = view.getUint32(0, true);
  if (buffer.byteLength !== 4 + count * 8) {
    throw new Error(`Corrupt sparse vector: ${buffer.byteLength} bytes for ${count} features`);
  }
  const indices = new Uint32Array(count);
  const values = new Float32Array(count);
  for (let position = 0; position < count; position++) {
    indices[position] = view.getUint32(4 + position * 4, true);
    values[position] = view.getFloat32(4 + count * 4 + position * 4, true);
  }
  return { indices, values };
}
