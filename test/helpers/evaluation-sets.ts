import { readFileSync } from 'node:fs';

/** resources/eval/retrieval-eval.json: the facts, their paraphrases and the negatives tuned on. */
export interface DevelopmentSet {
  facts: { id: string; question: string; answer: string; paraphrases: string[] }[];
  unanswerable: string[];
  near_misses: { question: string }[];
}

/** resources/eval/retrieval-eval-holdout.json: other paraphrases and negatives, only reported. */
export interface HeldOutSet {
  paraphrases: { fact: string; text: string }[];
  unanswerable: string[];
  near_misses: { question: string }[];
}

const read = <T>(file: string): T =>
  JSON.parse(readFileSync(new URL(`../../resources/eval/${file}`, import.meta.url), 'utf8')) as T;

export function readEvaluationSets(): { development: DevelopmentSet; heldOut: HeldOutSet } {
  return { development: read('retrieval-eval.json'), heldOut: read('retrieval-eval-holdout.json') };
}

/** Every development paraphrase with the fact it asks for. */
export function developmentParaphrases(set: DevelopmentSet): { fact: string; text: string }[] {
  return set.facts.flatMap((fact) => fact.paraphrases.map((text) => ({ fact: fact.id, text })));
}

/** The questions no fact answers: unanswerable ones and near misses. */
export function negativesOf(set: { unanswerable: string[]; near_misses: { question: string }[] }): string[] {
  return [...set.unanswerable, ...set.near_misses.map((miss) => miss.question)];
}
