/**
 * `npm run eval:retrieval`: measures how well the assistant finds curated answers (with the built-in
 * embedder unless EMBEDDING_PROVIDER says otherwise) on the Russian evaluation sets in resources/eval/. A real service runs on a loopback port over
 * a fresh SQLite file, with no LLM; the facts are loaded as curated answers through the admin API, every
 * paraphrase is searched through GET /api/retrieval/search, and every unanswerable question and near miss
 * is asked through POST /api/voice/process. Writes EVALUATION.md.
 *
 * Two sets are measured alike: the development set (retrieval-eval.json), which the lexicon and the
 * thresholds were tuned on, and the held-out set (retrieval-eval-holdout.json: other paraphrases of the
 * same facts, other negatives), written separately and only reported, never tuned on.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { developmentParaphrases, negativesOf, readEvaluationSets } from '../test/helpers/evaluation-sets.js';
import { startTestService } from '../test/helpers/test-service.js';

interface SearchHit {
  kind: string;
  id: string;
  question: string;
  score: number;
}

/** What one set's questions found. */
interface SetResult {
  name: string;
  paraphrases: number;
  atOne: number;
  atThree: number;
  /** Best score of each paraphrase with the fact it belongs to the best match. */
  rightTop: number[];
  /** Best score of each paraphrase whose best match is another fact. */
  wrongTop: number[];
  negatives: number;
  falseDirect: number;
  /** Best score of each unanswerable question and near miss (0 when nothing matched). */
  negativeTop: number[];
  misses: { paraphrase: string; fact: string; got: string }[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = { recallAtOne: 0.85, recallAtThree: 0.95, falseDirect: 0.02 };
const steps = (from: number, to: number, step: number) =>
  Array.from(
    { length: Math.round((to - from) / step) + 1 },
    (_, index) => Math.round((from + index * step) * 100) / 100,
  );

async function main(): Promise<void> {
  const { development, heldOut } = readEvaluationSets();
  // Thresholds and the embedder may be set from the environment, to calibrate another embedder's
  // thresholds (EMBEDDING_PROVIDER=openai EMBEDDING_BASE_URL=… npm run eval:retrieval); the report names them.
  const overrides = Object.fromEntries(
    [
      'SIMILARITY_THRESHOLD',
      'ANNOTATION_REPLY_THRESHOLD',
      'RETRIEVAL_REPLY_THRESHOLD',
      'EMBEDDING_PROVIDER',
      'EMBEDDING_MODEL',
      'EMBEDDING_BASE_URL',
      'EMBEDDING_API_KEY',
      'EMBEDDING_DIMENSIONS',
      'EMBEDDING_MODEL_PATH',
    ]
      .filter((name) => process.env[name] !== undefined)
      .map((name) => [name, process.env[name] as string]),
  );
  const service = await startTestService({ LOG_FILE: 'off', ...overrides });
  const { config } = service.services;
  // Answers are read as the API documents them; a wrong shape fails the run with a clear error below.
  // biome-ignore lint/suspicious/noExplicitAny: JSON from our own API, read field by field.
  const json = async (method: string, url: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${service.baseUrl}${url}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const search = async (question: string, k: number): Promise<SearchHit[]> =>
    json('GET', `/api/retrieval/search?q=${encodeURIComponent(question)}&k=${k}`);

  try {
    const curatedIdOf = new Map<string, string>();
    const questionOf = new Map<string, string>();
    for (const fact of development.facts) {
      const created = await json('POST', '/api/learning/annotations', {
        question: fact.question,
        answer: fact.answer,
      });
      curatedIdOf.set(fact.id, created.id as string);
      questionOf.set(fact.id, fact.question);
    }

    const measure = async (
      name: string,
      paraphrases: { fact: string; text: string }[],
      negatives: string[],
    ): Promise<SetResult> => {
      const result: SetResult = {
        name,
        paraphrases: paraphrases.length,
        atOne: 0,
        atThree: 0,
        rightTop: [],
        wrongTop: [],
        negatives: negatives.length,
        falseDirect: 0,
        negativeTop: [],
        misses: [],
      };
      for (const { fact, text } of paraphrases) {
        const hits = await search(text, 3);
        const rank = hits.findIndex((hit) => hit.kind === 'curated' && hit.id === curatedIdOf.get(fact));
        const top = hits[0];
        if (rank === 0) result.atOne++;
        if (rank >= 0) result.atThree++;
        if (top) (rank === 0 ? result.rightTop : result.wrongTop).push(top.score);
        if (rank !== 0) {
          const got = top ? `${top.score.toFixed(2)} «${top.question}»` : 'nothing';
          result.misses.push({ paraphrase: text, fact: questionOf.get(fact) ?? fact, got });
        }
      }
      for (const question of negatives) {
        const answer = await json('POST', '/api/voice/process', { message: question });
        if (answer.model_used === 'curated') result.falseDirect++;
        result.negativeTop.push((await search(question, 1))[0]?.score ?? 0);
      }
      return result;
    };

    const results = [
      await measure('development', developmentParaphrases(development), negativesOf(development)),
      await measure('held-out', heldOut.paraphrases, negativesOf(heldOut)),
    ];
    const report = markdown(results, {
      embedder: service.services.retrieval.embedderId,
      facts: development.facts.length,
      similarity: config.retrieval.similarityThreshold,
      annotationReply: config.retrieval.annotationReplyThreshold,
      retrievalReply: config.retrieval.retrievalReplyThreshold,
    });
    writeFileSync(path.join(root, 'EVALUATION.md'), report);
    process.stdout.write(`${report}\n`);
  } finally {
    await service.close();
  }
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const share = (scores: number[], threshold: number, of: number) =>
  percent(scores.filter((score) => score >= threshold).length / of);
const check = (met: boolean) => (met ? '✅' : '❌');

/** A table of what each set's best matches would do at each threshold: right, wrong and false answers. */
function sweep(results: SetResult[], thresholds: number[]): string[] {
  return [
    `| Threshold | ${results.map((result) => `${result.name}: right · wrong · false`).join(' | ')} |`,
    `| --- |${' --- |'.repeat(results.length)}`,
    ...thresholds.map((threshold) => {
      const cells = results.map(
        (result) =>
          `${share(result.rightTop, threshold, result.paraphrases)} · ${share(result.wrongTop, threshold, result.paraphrases)} · ${share(result.negativeTop, threshold, result.negatives)}`,
      );
      return `| ${threshold.toFixed(2)} | ${cells.join(' | ')} |`;
    }),
  ];
}

function markdown(
  results: SetResult[],
  run: {
    embedder: string;
    facts: number;
    similarity: number;
    annotationReply: number;
    retrievalReply: number;
  },
): string {
  const [development] = results as [SetResult, SetResult];
  const row = (label: string, value: (result: SetResult) => string) =>
    `| ${label} | ${results.map(value).join(' | ')} |`;
  const header = [
    `| | ${results.map((result) => result.name).join(' | ')} |`,
    `| --- |${' --- |'.repeat(results.length)}`,
  ];
  return [
    '# Retrieval evaluation',
    '',
    '_Generated by `npm run eval:retrieval` (bench/eval-retrieval.ts); do not edit by hand._',
    '',
    `- Date: ${new Date().toISOString()}; embedder \`${run.embedder}\`; SIMILARITY_THRESHOLD ${run.similarity}, ANNOTATION_REPLY_THRESHOLD ${run.annotationReply}, RETRIEVAL_REPLY_THRESHOLD ${run.retrievalReply}.`,
    `- ${run.facts} facts of resources/eval/retrieval-eval.json loaded as curated answers (their questions only, no alternatives). Paraphrases searched through GET /api/retrieval/search (k = 3); unanswerable questions and near misses asked through POST /api/voice/process, with no LLM.`,
    '- The development set is what the lexicon (resources/lexicon/ru-cleaning.txt) and the thresholds were tuned on; the held-out set (other paraphrases of the same facts, other negatives) was written apart from it and is only reported.',
    '',
    ...header,
    row('paraphrases / negatives', (result) => `${result.paraphrases} / ${result.negatives}`),
    row(
      'recall@1 (target ≥ 85 %)',
      (result) =>
        `${percent(result.atOne / result.paraphrases)} ${check(result.atOne / result.paraphrases >= TARGETS.recallAtOne)}`,
    ),
    row(
      'recall@3 (target ≥ 95 %)',
      (result) =>
        `${percent(result.atThree / result.paraphrases)} ${check(result.atThree / result.paraphrases >= TARGETS.recallAtThree)}`,
    ),
    row(
      'false direct replies: a curated answer served as it is to an unanswerable question or a near miss (target ≤ 2 %)',
      (result) =>
        `${percent(result.falseDirect / result.negatives)} ${check(result.falseDirect / result.negatives <= TARGETS.falseDirect)}`,
    ),
    '',
    '## ANNOTATION_REPLY_THRESHOLD: curated answers served as they are',
    '',
    'Paraphrases answered directly with their own fact (right) or with another (wrong), and negatives answered directly with any curated answer (false), if the threshold were:',
    '',
    ...sweep(results, steps(0.7, 0.98, 0.02)),
    '',
    'The default is the lowest threshold with at most 2 % false direct replies on the development set.',
    '',
    '## RETRIEVAL_REPLY_THRESHOLD: with no LLM, the answer to a similar question',
    '',
    'With no LLM, the best match at or above this threshold is served, introduced by the question it answers. Paraphrases served their own fact (right) or another (wrong), and negatives served anything (false), if the threshold were:',
    '',
    ...sweep(results, steps(0.3, 0.7, 0.05)),
    '',
    `## Development paraphrases whose fact was not ranked first (${development.misses.length})`,
    '',
    ...development.misses.map((miss) => `- «${miss.paraphrase}» → «${miss.fact}» (best: ${miss.got})`),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `evaluation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
