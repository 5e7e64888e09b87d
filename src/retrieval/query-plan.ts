import type { PostingList } from './posting-list.js';
import type { SparseVector } from './sparse-vector.js';

/**
 * A query's features present in the index, ordered by the most each can add to any item's score
 * (ascending), with running totals over every prefix of that order. All arrays follow that order.
 */
export interface QueryPlan {
  postings: PostingList[];
  memberships: (Int32Array | undefined)[];
  /** The feature's share of the unit query vector. */
  shares: Float64Array;
  /** What an item's share of the feature is multiplied by to give the feature's part of the score. */
  factors: Float64Array;
  /** The most the feature can add to any score. */
  bounds: Float64Array;
  /** Over the first k features: the sum of bounds, the sum of squared shares, and their joint bound. */
  prefixSums: Float64Array;
  prefixSquares: Float64Array;
  prefixBounds: Float64Array;
  /** The factors by the query's own feature order (0 for features the index lacks), for exact scoring. */
  queryFactors: Float64Array;
}

/**
 * Plans a search. A feature's bound is its share of the query times the largest share any item has of
 * it. A set of features together adds at most the smaller of the sum of their bounds and, by
 * Cauchy–Schwarz, the length of their part of the unit query vector (an item's own part is at most 1).
 * Undefined when the query shares no feature with the index.
 */
export function planQuery(
  query: SparseVector,
  postingOf: (feature: number) => PostingList | undefined,
  absentRarity: number,
): QueryPlan | undefined {
  const featureCount = query.indices.length;
  const present: { posting: PostingList; position: number; weight: number }[] = [];
  let squares = 0;
  for (let position = 0; position < featureCount; position++) {
    const posting = postingOf(query.indices[position] as number);
    const weight = (query.values[position] as number) * (posting ? posting.rarity : absentRarity);
    squares += weight * weight;
    if (posting) present.push({ posting, position, weight });
  }
  const queryNorm = Math.sqrt(squares);
  if (present.length === 0 || queryNorm === 0) return undefined;

  const queryFactors = new Float64Array(featureCount);
  const features = present.map(({ posting, position, weight }) => {
    const share = weight / queryNorm;
    const factor = share * posting.rarity;
    queryFactors[position] = factor;
    return { posting, share, factor, bound: Math.min(share, factor * posting.maxShare) };
  });
  features.sort((left, right) => left.bound - right.bound);

  const count = features.length;
  const plan: QueryPlan = {
    postings: features.map((feature) => feature.posting),
    memberships: features.map((feature) => feature.posting.members),
    shares: Float64Array.from(features, (feature) => feature.share),
    factors: Float64Array.from(features, (feature) => feature.factor),
    bounds: Float64Array.from(features, (feature) => feature.bound),
    prefixSums: new Float64Array(count + 1),
    prefixSquares: new Float64Array(count + 1),
    prefixBounds: new Float64Array(count + 1),
    queryFactors,
  };
  features.forEach((feature, rank) => {
    const sum = (plan.prefixSums[rank] as number) + feature.bound;
    const shareSquares = (plan.prefixSquares[rank] as number) + feature.share * feature.share;
    plan.prefixSums[rank + 1] = sum;
    plan.prefixSquares[rank + 1] = shareSquares;
    plan.prefixBounds[rank + 1] = Math.min(sum, Math.sqrt(shareSquares));
  });
  return plan;
}
