import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface EvalFact {
  id: string;
  topic: string;
  question: string;
  answer: string;
  paraphrases: string[];
}

interface NearMiss {
  question: string;
  resembles: string;
  why_different: string;
}

interface RetrievalEvalSet {
  version: number;
  description: string;
  facts: EvalFact[];
  unanswerable: string[];
  near_misses: NearMiss[];
}

const dataset = JSON.parse(
  readFileSync(new URL('../../resources/eval/retrieval-eval.json', import.meta.url), 'utf8'),
) as RetrievalEvalSet;

const CYRILLIC = /[а-яё]/i;

/** Lower-cased, with runs of whitespace collapsed, so that trivial variants compare equal. */
function normalize(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Lower-cased words of four or more letters. */
function contentWords(text: string): Set<string> {
  const words = text.toLowerCase().match(/[a-zа-яё]+/g) ?? [];
  return new Set(words.filter((word) => word.length >= 4));
}

/** Every fact question and paraphrase, normalized, mapped to the id of the fact it belongs to. */
function factWordings(facts: EvalFact[]): Map<string, string> {
  const wordings = new Map<string, string>();
  for (const fact of facts) {
    for (const text of [fact.question, ...fact.paraphrases]) wordings.set(normalize(text), fact.id);
  }
  return wordings;
}

describe('retrieval evaluation set', () => {
  const { facts, unanswerable, near_misses: nearMisses } = dataset;
  const wordings = factWordings(facts);

  it('is version 1 with a description', () => {
    expect(dataset.version).toBe(1);
    expect(dataset.description.trim()).not.toBe('');
  });

  it('has at least 100 facts with consecutive unique ids f001, f002, …', () => {
    expect(facts.length).toBeGreaterThanOrEqual(100);
    expect(facts.map((fact) => fact.id)).toEqual(
      facts.map((_fact, index) => `f${String(index + 1).padStart(3, '0')}`),
    );
  });

  it.each(facts)('$id has a Russian question and answer and at least 3 distinct paraphrases', (fact) => {
    expect(fact.topic.trim()).not.toBe('');
    expect(fact.question).toMatch(CYRILLIC);
    expect(fact.answer).toMatch(CYRILLIC);
    expect(fact.paraphrases.length).toBeGreaterThanOrEqual(3);
    for (const paraphrase of fact.paraphrases) expect(paraphrase).toMatch(CYRILLIC);
    const variants = [fact.question, ...fact.paraphrases].map(normalize);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('never repeats a question or paraphrase of one fact in another fact', () => {
    const owners = new Map<string, string>();
    const clashes: string[] = [];
    for (const fact of facts) {
      for (const text of [fact.question, ...fact.paraphrases]) {
        const owner = owners.get(normalize(text));
        if (owner !== undefined && owner !== fact.id) clashes.push(`${fact.id} repeats ${owner}: ${text}`);
        owners.set(normalize(text), fact.id);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('has at least 40 distinct unanswerable questions that are no fact wording', () => {
    expect(unanswerable.length).toBeGreaterThanOrEqual(40);
    const normalized = unanswerable.map(normalize);
    expect(new Set(normalized).size).toBe(normalized.length);
    expect(normalized.filter((question) => wordings.has(question))).toEqual([]);
  });

  it('has at least 20 near misses, each naming an existing fact and not worded like any fact', () => {
    expect(nearMisses.length).toBeGreaterThanOrEqual(20);
    const ids = new Set(facts.map((fact) => fact.id));
    for (const nearMiss of nearMisses) {
      expect(ids, nearMiss.question).toContain(nearMiss.resembles);
      expect(wordings.has(normalize(nearMiss.question)), nearMiss.question).toBe(false);
      expect(nearMiss.why_different.trim()).not.toBe('');
    }
  });

  it('makes every near miss share at least half of its content words with the fact it resembles', () => {
    const questions = new Map(facts.map((fact) => [fact.id, fact.question]));
    for (const nearMiss of nearMisses) {
      const words = contentWords(nearMiss.question);
      const factWords = contentWords(questions.get(nearMiss.resembles) ?? '');
      const shared = [...words].filter((word) => factWords.has(word)).length;
      expect(shared / words.size, nearMiss.question).toBeGreaterThanOrEqual(0.5);
    }
  });
});

interface HeldOutSet {
  version: number;
  description: string;
  paraphrases: { fact: string; text: string }[];
  unanswerable: string[];
  near_misses: NearMiss[];
}

describe('held-out retrieval evaluation set', () => {
  const heldOut = JSON.parse(
    readFileSync(new URL('../../resources/eval/retrieval-eval-holdout.json', import.meta.url), 'utf8'),
  ) as HeldOutSet;
  const ids = new Set(dataset.facts.map((fact) => fact.id));
  const developmentTexts = new Set(
    [
      ...dataset.facts.flatMap((fact) => [fact.question, ...fact.paraphrases]),
      ...dataset.unanswerable,
      ...dataset.near_misses.map((miss) => miss.question),
    ].map(normalize),
  );
  const texts = [
    ...heldOut.paraphrases.map((paraphrase) => paraphrase.text),
    ...heldOut.unanswerable,
    ...heldOut.near_misses.map((miss) => miss.question),
  ];

  it('gives every development fact two Russian paraphrases of its own', () => {
    expect(heldOut.version).toBe(1);
    for (const id of ids) {
      expect(heldOut.paraphrases.filter((paraphrase) => paraphrase.fact === id).length, id).toBe(2);
    }
    for (const paraphrase of heldOut.paraphrases) {
      expect(ids).toContain(paraphrase.fact);
      expect(paraphrase.text).toMatch(CYRILLIC);
    }
  });

  it('has 40 unanswerable questions and 30 near misses naming existing facts', () => {
    expect(heldOut.unanswerable.length).toBe(40);
    expect(heldOut.near_misses.length).toBe(30);
    for (const miss of heldOut.near_misses) {
      expect(ids, miss.question).toContain(miss.resembles);
      expect(miss.why_different.trim()).not.toBe('');
    }
  });

  it('repeats nothing, within itself or from the development set', () => {
    const normalized = texts.map(normalize);
    expect(new Set(normalized).size).toBe(normalized.length);
    expect(normalized.filter((text) => developmentTexts.has(text))).toEqual([]);
  });
});
