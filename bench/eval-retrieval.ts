/**
 * `npm run eval:retrieval`: measures how well the assistant finds curated answers, with the built-in
 * embedder, on the Russian evaluation set in resources/eval/retrieval-eval.json. A real service runs on
 * a loopback port over a fresh SQLite file, with no LLM; the facts are loaded as curated answers through the admin
 * API, every paraphrase is searched through GET /api/retrieval/search, and every unanswerable question
 * and near miss is asked through POST /api/voice/process. Writes EVALUATION.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestService } from '../test/helpers/test-service.js';

interface Fact {
  id: string;
  topic: string;
  question: string;
  answer: string;
  paraphrases: string[];
}

interface EvaluationSet {
  facts: Fact[];
  unanswerable: string[];
  near_misses: { question: string; resembles: string }[];
}

interface SearchHit {
  kind: string;
  id: string;
  score: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SWEEP = Array.from({ length: 13 }, (_, step) => Math.round((0.3 + step * 0.05) * 100) / 100);
const TARGETS = { recallAt1: 0.85, recallAt3: 0.95, falseDirect: 0.02 };

async function main(): Promise<void> {
  const set = JSON.parse(
    readFileSync(path.join(root, 'resources/eval/retrieval-eval.json'), 'utf8'),
  ) as EvaluationSet;
  // The same in-process service the API tests start: a real HTTP server over a fresh SQLite file.
  const service = await startTestService({ LOG_FILE: 'off' });
  const config = service.services.config;
  const base = service.baseUrl;
  // Answers are read as the API documents them; a wrong shape fails the run with a clear error below.
  // biome-ignore lint/suspicious/noExplicitAny: JSON from our own API, read field by field.
  const json = async (method: string, url: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return response.json();
  };

  try {
    const curatedIdOf = new Map<string, string>();
    for (const fact of set.facts) {
      const created = await json('POST', '/api/learning/annotations', {
        question: fact.question,
        answer: fact.answer,
      });
      curatedIdOf.set(fact.id, created.id as string);
    }

    let asked = 0;
    let atOne = 0;
    let atThree = 0;
    /** Top-1 score of each paraphrase whose top result is its own fact (for the threshold sweep). */
    const rightTopScores: number[] = [];
    const misses: { paraphrase: string; fact: string; got: string }[] = [];
    for (const fact of set.facts) {
      for (const paraphrase of fact.paraphrases) {
        const hits = (await json(
          'GET',
          `/api/retrieval/search?q=${encodeURIComponent(paraphrase)}&k=3`,
        )) as SearchHit[];
        const expected = curatedIdOf.get(fact.id);
        const rank = hits.findIndex((hit) => hit.kind === 'curated' && hit.id === expected);
        asked++;
        if (rank === 0) {
          atOne++;
          rightTopScores.push(hits[0]?.score ?? 0);
        }
        if (rank >= 0 && rank < 3) atThree++;
        if (rank !== 0)
          misses.push({ paraphrase, fact: fact.question, got: hits[0] ? `${hits[0].score}` : 'nothing' });
      }
    }

    const negatives = [...set.unanswerable, ...set.near_misses.map((miss) => miss.question)];
    let falseDirect = 0;
    const negativeTopScores: number[] = [];
    for (const question of negatives) {
      const answer = await json('POST', '/api/voice/process', { message: question });
      if (answer.model_used === 'curated') falseDirect++;
      const hits = (await json(
        'GET',
        `/api/retrieval/search?q=${encodeURIComponent(question)}&k=1`,
      )) as SearchHit[];
      negativeTopScores.push(hits[0]?.kind === 'curated' ? hits[0].score : 0);
    }

    const threshold = config.retrieval.annotationReplyThreshold;
    const results = {
      facts: set.facts.length,
      paraphrases: asked,
      negatives: negatives.length,
      recallAt1: atOne / asked,
      recallAt3: atThree / asked,
      falseDirectRate: falseDirect / negatives.length,
      threshold,
      sweep: SWEEP.map((candidate) => ({
        threshold: candidate,
        directRight: rightTopScores.filter((score) => score >= candidate).length / asked,
        falseDirect: negativeTopScores.filter((score) => score >= candidate).length / negatives.length,
      })),
      misses,
    };
    const report = markdown(results);
    writeFileSync(path.join(root, 'EVALUATION.md'), report);
    process.stdout.write(`${report}\n`);
  } finally {
    await service.close();
  }
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;

function markdown(results: {
  facts: number;
  paraphrases: number;
  negatives: number;
  recallAt1: number;
  recallAt3: number;
  falseDirectRate: number;
  threshold: number;
  sweep: { threshold: number; directRight: number; falseDirect: number }[];
  misses: { paraphrase: string; fact: string; got: string }[];
}): string {
  const check = (met: boolean) => (met ? '✅ met' : '❌ missed');
  const lowestSafe = results.sweep.find((row) => row.falseDirect <= TARGETS.falseDirect);
  return [
    '# Retrieval evaluation',
    '',
    '_Generated by `npm run eval:retrieval` (bench/eval-retrieval.ts); do not edit by hand._',
    '',
    `- Date: ${new Date().toISOString()}; embedder: built-in \`local-ru-v1\`; SIMILARITY_THRESHOLD and ANNOTATION_REPLY_THRESHOLD as configured (reply threshold ${results.threshold}).`,
    `- Set: resources/eval/retrieval-eval.json: ${results.facts} facts loaded as curated answers (their questions only), ${results.paraphrases} paraphrases searched (GET /api/retrieval/search, k = 3), ${results.negatives} unanswerable questions and near misses asked (POST /api/voice/process).`,
    '',
    '| Measure | Value | Target |',
    '| --- | --- | --- |',
    `| recall@1 (the paraphrase's fact ranked first) | ${percent(results.recallAt1)} | ≥ 85 % ${check(results.recallAt1 >= TARGETS.recallAt1)} |`,
    `| recall@3 | ${percent(results.recallAt3)} | ≥ 95 % ${check(results.recallAt3 >= TARGETS.recallAt3)} |`,
    `| false direct replies (a curated answer served to an unanswerable question or a near miss) | ${percent(results.falseDirectRate)} | ≤ 2 % ${check(results.falseDirectRate <= TARGETS.falseDirect)} |`,
    '',
    '## Reply threshold sweep',
    '',
    'Paraphrases answered directly with their own fact, and negatives answered directly with any curated answer, if the reply threshold were:',
    '',
    '| Threshold | Right direct replies | False direct replies |',
    '| --- | --- | --- |',
    ...results.sweep.map(
      (row) => `| ${row.threshold.toFixed(2)} | ${percent(row.directRight)} | ${percent(row.falseDirect)} |`,
    ),
    '',
    lowestSafe
      ? `The lowest threshold with at most 2 % false direct replies: ${lowestSafe.threshold.toFixed(2)} (right direct replies ${percent(lowestSafe.directRight)}).`
      : 'No threshold in the sweep keeps false direct replies at or below 2 %.',
    '',
    `## Paraphrases whose fact was not ranked first (${results.misses.length})`,
    '',
    ...results.misses
      .slice(0, 60)
      .map((miss) => `- «${miss.paraphrase}» → «${miss.fact}» (top score: ${miss.got})`),
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `evaluation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
