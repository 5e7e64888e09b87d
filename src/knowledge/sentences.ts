/**
 * Lower-case abbreviations that end with a full stop inside a sentence ("ул. Ленина", "д. 5", "т. е.",
 * "150 руб. в месяц"): a full stop after one of them does not end the sentence.
 */
const ABBREVIATIONS = new Set(
  'ул пр пл пер наб ш д корп стр кв эт г гг обл р руб коп тыс млн млрд им см рис табл п пп ст ч т е к др тел доб мин сек напр зам нач ген дир etc vs'.split(
    ' ',
  ),
);

/** The end of a sentence: ., !, ? or … (repeated or closed by a quote or bracket), then white space. */
const SENTENCE_END = /[.!?…]+["»”')\]]*\s+/gu;

/** Whether the text before a full stop ends with an abbreviation or an initial ("А. С. Пушкин"). */
function endsWithAbbreviation(before: string): boolean {
  const word = /([\p{L}]+)\.+$/u.exec(before)?.[1];
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
    const candidate = text.slice(start, end);
    if (match[0].startsWith('.') && endsWithAbbreviation(candidate.trimEnd().replace(/["»”')\]]+$/u, '')))
      continue;
    sentences.push(candidate.trim());
    start = end;
  }
  sentences.push(text.slice(start).trim());
  return sentences.filter((sentence) => sentence !== '');
}
