/**
 * Lower-case abbreviations that end with a full stop inside a sentence ("ул. Ленина", "д. 5", "т. е.",
 * "150 руб. в месяц"): a full stop after one of them does not end the sentence.
 */
const ABBREVIATIONS = new Set(
  'ул пр пл пер наб ш д корп стр кв эт г гг обл р руб коп тыс млн млрд им см рис табл п пп ст ч т е к др тел доб мин сек напр зам нач ген дир etc vs'.split(
    ' ',
  ),
);

/**
 * The end of a sentence: ., !, ? or … (repeated or closed by a quote or bracket), then white space. It
 * matches only from the start of a run of marks: matching from inside one too would make long runs cost
 * quadratic time.
 */
const SENTENCE_END = /(?<![.!?…])[.!?…]+["»”')\]]*\s+/gu;
/** Full stops only, then closing quotes or brackets and white space: what an abbreviation may end with. */
const FULL_STOP_END = /^\.+["»”')\]]*\s+$/u;
/** Longer than any abbreviation: the word before a full stop is looked for this far back, no farther. */
const WORD_WINDOW = 32;

/**
 * Whether the full stop at `at` closes an abbreviation or an initial ("А. С. Пушкин"): the word right
 * before it, within the sentence begun at `start`. Reads a bounded window, so that many abbreviations in
 * one sentence cost linear time.
 */
function endsWithAbbreviation(text: string, start: number, mark: string, at: number): boolean {
  if (!FULL_STOP_END.test(mark)) return false;
  const word = /\p{L}+$/u.exec(text.slice(Math.max(start, at - WORD_WINDOW), at))?.[0];
  if (word === undefined) return false;
  if (word.length === 1 && word === word.toUpperCase()) return true;
  return word === word.toLowerCase() && ABBREVIATIONS.has(word);
}

/**
 * Splits a text into sentences, each trimmed and none empty. A sentence ends at ., !, ? or … followed by
 * white space and a capital letter, a digit, a quote, a dash or a list marker, unless the full stop closes
 * an abbreviation or an initial.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  for (const match of text.matchAll(SENTENCE_END)) {
    const end = match.index + match[0].length;
    const next = text.charAt(end);
    if (next !== '' && !/[\p{Lu}\p{N}"«“'([—–•*-]/u.test(next)) continue;
    if (endsWithAbbreviation(text, start, match[0], match.index)) continue;
    sentences.push(text.slice(start, end).trim());
    start = end;
  }
  sentences.push(text.slice(start).trim());
  return sentences.filter((sentence) => sentence !== '');
}
