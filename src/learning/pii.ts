const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
/** Russian numbers (+7 or 8, then ten digits in any grouping), other international ones, and local 123-45-67. */
const PHONES = [
  /(?<![\p{L}\p{N}+])(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)/gu,
  /(?<![\p{L}\p{N}])\+\d{1,3}[\s(-]*\d{2,4}[\s)-]*\d{2,4}[\s-]*\d{2,4}[\s-]*\d{0,4}(?!\d)/gu,
  /(?<![\p{N}-])\d{3}-\d{2}-\d{2}(?![\p{N}-])/gu,
];

/** The text with e-mail addresses and phone numbers replaced by [email] and [телефон]. */
export function redactPii(text: string): string {
  let redacted = text.replace(EMAIL, '[email]');
  for (const phone of PHONES) redacted = redacted.replace(phone, '[телефон]');
  return redacted;
}
