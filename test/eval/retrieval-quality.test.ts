import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.schema.js';
import { CuratedAnswerStore } from '../../src/curated/curated-answer.store.js';
import { CuratedAnswerService } from '../../src/curated/curated-answers.service.js';
import { LocalEmbedder } from '../../src/retrieval/local-embedder.js';
import { developmentParaphrases, negativesOf, readEvaluationSets } from '../helpers/evaluation-sets.js';
import { openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const { development, heldOut } = readEvaluationSets();

/**
 * The retrieval targets, as a regression guard on the built-in embedder, its lexicon and the
 * default thresholds: curated answers matched by the real service class over a real SQLite file.
 * `npm run eval:retrieval` measures the same through the HTTP API and writes EVALUATION.md.
 */
describe('retrieval quality on the evaluation sets (built-in embedder, default thresholds)', () => {
  const { retrieval } = parseConfig({});
  const embedder = new LocalEmbedder();
  let storage: TestDatabase;
  let curated: CuratedAnswerService;
  const curatedIdOf = new Map<string, string>();

  beforeAll(async () => {
    storage = await openTestDatabase('retrieval-quality');
    curated = new CuratedAnswerService(
      new CuratedAnswerStore(storage.database.db),
      embedder,
      retrieval.similarityThreshold,
    );
    for (const fact of development.facts) {
      const created = await curated.create({
        question: fact.question,
        alternatives: [],
        answer: fact.answer,
        status: 'active',
      });
      curatedIdOf.set(fact.id, created.id);
    }
  });
  afterAll(async () => {
    await storage?.remove();
  });

  const recall = (paraphrases: { fact: string; text: string }[]) => {
    let atOne = 0;
    let atThree = 0;
    for (const { fact, text } of paraphrases) {
      const rank = curated
        .search(embedder.embedOne(text), 3)
        .findIndex((match) => match.curated.id === curatedIdOf.get(fact));
      if (rank === 0) atOne++;
      if (rank >= 0) atThree++;
    }
    return { atOne: atOne / paraphrases.length, atThree: atThree / paraphrases.length };
  };
  const directReplies = (set: Parameters<typeof negativesOf>[0]) =>
    negativesOf(set).filter(
      (question) =>
        (curated.search(embedder.embedOne(question), 1)[0]?.score ?? 0) >= retrieval.annotationReplyThreshold,
    );

  it('ranks the right fact first for 85 % of the development paraphrases and among three for 95 %', () => {
    const measured = recall(developmentParaphrases(development));
    expect(measured.atOne).toBeGreaterThanOrEqual(0.85);
    expect(measured.atThree).toBeGreaterThanOrEqual(0.95);
  });

  it('ranks the right fact first for 85 % of the held-out paraphrases', () => {
    // Recall@3 on the held-out set is reported in EVALUATION.md; it is below the 95 % target.
    expect(recall(heldOut.paraphrases).atOne).toBeGreaterThanOrEqual(0.85);
  });

  it('serves no curated answer as it is to an unanswerable question or a near miss', () => {
    expect(directReplies(development)).toEqual([]);
    expect(directReplies(heldOut)).toEqual([]);
  });
});
