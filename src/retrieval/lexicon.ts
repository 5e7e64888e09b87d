import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resourcePath } from '../platform/project-root.js';
import { stem, tokenize } from './russian-text.js';

export const BUILT_IN_LEXICON_PATH = resourcePath('lexicon', 'ru-cleaning.txt');

/** Stems whose closest lexicon word is remembered; past it the memory starts again. */
const CLOSEST_WORDS_REMEMBERED = 50_000;

/** The group whose words and phrases are dropped: greetings and fillers. */
const IGNORED_GROUP = 'ignore';

/** What a word or phrase of the lexicon stands for. */
export interface LexiconMatch {
  /** How many tokens the phrase covers. */
  length: number;
  /** Its groups; empty for the words the lexicon says to ignore. */
  groups: readonly LexiconGroup[];
}

export interface LexiconGroup {
  name: string;
  /** How much the group says about a question: below 1 for words nearly every question has. */
  weight: number;
}

interface PhraseNode {
  next: Map<string, PhraseNode>;
  groups?: LexiconGroup[];
}

/** Damerau–Levenshtein (optimal string alignment) distance, giving up above `limit`. */
export function editDistance(left: string, right: string, limit: number): number {
  if (Math.abs(left.length - right.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: right.length + 1 }, (_, column) => column);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    let rowMinimum = row;
    for (let column = 1; column <= right.length; column++) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let value = Math.min(
        (previous[column] as number) + 1,
        (current[column - 1] as number) + 1,
        (previous[column - 1] as number) + cost,
      );
      if (
        row > 1 &&
        column > 1 &&
        left[row - 1] === right[column - 2] &&
        left[row - 2] === right[column - 1]
      ) {
        value = Math.min(value, (beforePrevious[column - 2] as number) + 1);
      }
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[right.length] as number;
}

/** How far a misspelt stem may be from a lexicon word's stem and still be taken for it. */
function typoAllowance(stemLength: number): number {
  if (stemLength >= 8) return 2;
  return stemLength >= 4 ? 1 : 0;
}

/**
 * Groups of words and phrases that mean the same thing in the company's questions ("сотрудников",
 * "персонал", "народу"), read from a text file (see resources/lexicon/ru-cleaning.txt for the format).
 * Words are compared by stem; a word missing from the lexicon is taken for the closest single-word entry
 * within one or two typos. `fingerprint` changes with the content, so that an embedder built on it can
 * tell its vectors from those of another lexicon.
 */
export class Lexicon {
  readonly fingerprint: string;
  private readonly root: PhraseNode = { next: new Map() };
  /** Single-word entries by stem, for typo matching. */
  private readonly wordGroups = new Map<string, LexiconGroup[]>();
  /** closestWord() answers by stem; null: no word is close enough. */
  private readonly closestWords = new Map<string, readonly LexiconGroup[] | null>();

  constructor(text: string) {
    this.fingerprint = createHash('sha256').update(text).digest('hex').slice(0, 8);
    for (const [lineNumber, rawLine] of text.split('\n').entries()) {
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#')) continue;
      const colon = line.indexOf(':');
      const heading = /^([a-z_]+)(?:\s*\*\s*(\d+(?:\.\d+)?))?$/.exec(line.slice(0, colon).trim());
      const weight = Number(heading?.[2] ?? 1);
      if (colon <= 0 || !heading || !(weight > 0 && weight <= 1)) {
        throw new Error(
          `lexicon line ${lineNumber + 1}: expected "group_name: word, phrase, …" or "group_name * weight: …" with a weight above 0 and at most 1`,
        );
      }
      const group: LexiconGroup = { name: heading[1] as string, weight };
      for (const entry of line.slice(colon + 1).split(',')) {
        const stems = tokenize(entry).map(stem);
        if (stems.length > 0) this.add(stems, group);
      }
    }
  }

  static fromFile(file: string): Lexicon {
    return new Lexicon(readFileSync(file, 'utf8'));
  }

  /** The longest entry that starts at `start` among the stems, if any. */
  match(stems: readonly string[], start: number): LexiconMatch | undefined {
    let node: PhraseNode | undefined = this.root;
    let found: LexiconMatch | undefined;
    for (let position = start; position < stems.length; position++) {
      node = node.next.get(stems[position] as string);
      if (!node) break;
      if (node.groups) found = { length: position - start + 1, groups: node.groups };
    }
    return found;
  }

  /**
   * The groups of the single-word entry a misspelt stem most likely stands for. Finding it compares the
   * stem with every word of the lexicon, and questions repeat their words: answers are remembered.
   */
  closestWord(wordStem: string): readonly LexiconGroup[] | undefined {
    const remembered = this.closestWords.get(wordStem);
    if (remembered !== undefined) return remembered ?? undefined;
    const found = this.findClosestWord(wordStem);
    if (this.closestWords.size >= CLOSEST_WORDS_REMEMBERED) this.closestWords.clear();
    this.closestWords.set(wordStem, found ?? null);
    return found;
  }

  private findClosestWord(wordStem: string): readonly LexiconGroup[] | undefined {
    const allowance = typoAllowance(wordStem.length);
    if (allowance === 0) return undefined;
    let best: LexiconGroup[] | undefined;
    let bestDistance = allowance + 1;
    for (const [candidate, groups] of this.wordGroups) {
      const distance = editDistance(wordStem, candidate, Math.min(allowance, bestDistance - 1));
      if (distance < bestDistance) {
        best = groups;
        bestDistance = distance;
        if (distance === 1) break;
      }
    }
    return best;
  }

  private add(stems: string[], group: LexiconGroup): void {
    let node = this.root;
    for (const wordStem of stems) {
      let next = node.next.get(wordStem);
      if (!next) {
        next = { next: new Map() };
        node.next.set(wordStem, next);
      }
      node = next;
    }
    node.groups ??= [];
    if (group.name !== IGNORED_GROUP && !node.groups.some((known) => known.name === group.name)) {
      node.groups.push(group);
    }
    if (stems.length === 1 && (stems[0] as string).length >= 4) {
      this.wordGroups.set(stems[0] as string, node.groups);
    }
  }
}
