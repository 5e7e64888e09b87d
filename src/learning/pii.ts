import type { findPhoneNumbersInText } from 'libphonenumber-js/max';

type FindPhoneNumbers = typeof findPhoneNumbersInText;

/** Where a phone number stands in a text: [start, end) in UTF-16 code units. */
interface Span {
  start: number;
  end: number;
}

/** Replaces e-mail addresses and phone numbers in a text with [email] and [телефон]. */
export type PiiRedactor = (text: string) => string;

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

/**
 * The phone-number library skips a number glued to a Latin letter (its guard against codes such as
 * abc8005001234), which would let tel89101234567 through. The search runs over a copy in which such
 * a letter is swapped for a Cyrillic one of the same UTF-16 length, so offsets still fit the text.
 */
const LATIN_LETTER_BESIDE_DIGIT = /\p{Script=Latin}(?=\p{Nd})|(?<=\p{Nd})\p{Script=Latin}/gu;

/**
 * A text the library could find a number in: one with a plus sign, or with ten digits (the least a
 * Russian number has after its prefix) with at most four non-letters between neighbours (the
 * library allows four punctuation marks between digit groups). Most texts have neither, and the
 * search is costly on them: on 300 characters with a date, a price and a few counts the library
 * spends ~150 µs rejecting each as a candidate, where this test takes a few.
 */
const MAY_HOLD_PHONE_NUMBER = /[+\uFF0B]|\p{Nd}(?:[^\p{L}\p{Nd}]{0,4}\p{Nd}){9}/u;

/**
 * The library reads a comma (or semicolon) and digits after a number as an auto-dialled extension:
 * in "56-78-90, 56-78-91" it would take ", 56" and leave "-78-91", in "56-78-90, 12 подъездов" it
 * would take the count. A redactor treats such a tail as the text that follows the number.
 */
const LISTED_AFTER_NUMBER = /[\s,;]*[,;][\s,;]*\p{Nd}+$/u;

/**
 * Local numbers without an area code: Kaluga's six digits (56-78-90) and the seven of larger
 * cities (756-78-90). The library cannot find these by design: a Russian number is ten digits
 * after +7 or 8, and a subscriber number alone names no area, so it is not a phone number to it.
 * Only the dashed groupings are taken: dotted ones read as dates (01.02.24), spaced ones as counts
 * and prices, and six bare digits as postcodes (Kaluga's are 248xxx) or sums. Not after or before
 * another digit group, so the parts of 2024-118-07 or 10-00-11-00 stay.
 */
const DASH = '[-\u2010-\u2013]';
const LOCAL_NUMBER = new RegExp(
  `(?<!\\p{Nd}${DASH}?)\\d{2,3}${DASH}\\d{2}${DASH}\\d{2}(?!${DASH}?\\p{Nd})`,
  'gu',
);

/**
 * Loads the phone-number library and returns the redactor. The library and its full metadata
 * (the `max` set, which knows the landline ranges behind area codes such as Kaluga's 4842) are a
 * 310 KB chunk of the bundle that takes 40–80 ms to load, so only an export with EXPORT_REDACT_PII
 * loads them, on first use.
 */
export async function loadPiiRedactor(): Promise<PiiRedactor> {
  const { findPhoneNumbersInText } = await import('libphonenumber-js/max');
  return (text) => redactPii(text, findPhoneNumbersInText);
}

function redactPii(text: string, findPhoneNumbers: FindPhoneNumbers): string {
  const withoutEmails = text.replace(EMAIL, '[email]');
  let redacted = '';
  let copied = 0;
  for (const { start, end } of phoneNumberSpans(withoutEmails, findPhoneNumbers)) {
    redacted += `${withoutEmails.slice(copied, start)}[телефон]`;
    copied = end;
  }
  redacted += withoutEmails.slice(copied);
  return redacted.replace(LOCAL_NUMBER, '[телефон]');
}

/**
 * Where the library finds full numbers (with a country or area code) for region RU, in order.
 * Leniency VALID (the default) rather than POSSIBLE: POSSIBLE takes any string of the right length,
 * 10-digit INNs and 7xxxxxxxxx codes among them.
 */
function phoneNumberSpans(text: string, findPhoneNumbers: FindPhoneNumbers): Span[] {
  if (!MAY_HOLD_PHONE_NUMBER.test(text)) return [];
  const searched = text.replace(LATIN_LETTER_BESIDE_DIGIT, (letter) => 'ж'.repeat(letter.length));
  const spans: Span[] = [];
  let from: number | undefined = 0;
  while (from !== undefined) {
    const offset: number = from;
    from = undefined;
    for (const found of findPhoneNumbers(searched.slice(offset), { defaultCountry: 'RU' })) {
      const span: Span = { start: offset + found.startsAt, end: offset + found.endsAt };
      const matched = text.slice(span.start, span.end);
      // "(8 910 123-45-67)": the opening bracket encloses the number; "(4842) 56-78-90" keeps its own.
      if (matched.startsWith('(') && count(matched, '(') > count(matched, ')')) span.start += 1;
      const listed = found.number.ext === undefined ? null : LISTED_AFTER_NUMBER.exec(matched);
      spans.push(span);
      if (listed !== null) {
        // The number ends before the tail, and the search starts again there: it may hold the next number.
        span.end -= listed[0].length;
        from = span.end;
        break;
      }
    }
  }
  return spans;
}

function count(text: string, character: string): number {
  return text.split(character).length - 1;
}
