import { beforeAll, describe, expect, it } from 'vitest';
import { loadPiiRedactor, type PiiRedactor } from './pii.js';

describe('the PII redactor', () => {
  let redactPii: PiiRedactor;
  beforeAll(async () => {
    redactPii = await loadPiiRedactor();
  });

  it.each([
    ['Пишите на ivan.petrov@mail.ru или vasdom-info@yandex.ru.', 'Пишите на [email] или [email].'],
    ['Мой ящик ivan89101234567@mail.ru', 'Мой ящик [email]'],
  ])('replaces e-mail addresses in %s', (text, expected) => {
    expect(redactPii(text)).toBe(expected);
  });

  it.each([
    // Kaluga landlines with the area code, as written locally and internationally.
    ['Диспетчерская: 8 (4842) 56-78-90', 'Диспетчерская: [телефон]'],
    ['+7 (4842) 56-78-90', '[телефон]'],
    ['8(4842)567890', '[телефон]'],
    ['(4842) 56-78-90', '[телефон]'],
    // Mobiles in every grouping people type.
    ['Звоните 7 910 123 45 67 после обеда', 'Звоните [телефон] после обеда'],
    ['8.910.123.45.67', '[телефон]'],
    ['8-910-123-45-67', '[телефон]'],
    ['+7 910 1234567', '[телефон]'],
    ['+7 (910) 123-45-67', '[телефон]'],
    ['89101234567', '[телефон]'],
    ['+79101234567', '[телефон]'],
    ['9101234567', '[телефон]'],
    ['8 800 555-35-35', '[телефон]'],
    // Local numbers without the area code: Kaluga's six digits, elsewhere in Russia seven.
    ['56-78-90', '[телефон]'],
    ['756-78-90', '[телефон]'],
    // International.
    ['Из Минска: +375 29 123-45-67', 'Из Минска: [телефон]'],
    ['Берлин: +49 30 1234567', 'Берлин: [телефон]'],
    // Glued to words and punctuation.
    ['тел.89101234567', 'тел.[телефон]'],
    ['(8 910 123-45-67)', '([телефон])'],
    ['звоните:+79101234567!', 'звоните:[телефон]!'],
    ['номер8-910-123-45-67,', 'номер[телефон],'],
    ['т.56-78-90', 'т.[телефон]'],
    ['tel89101234567, WhatsApp+79101234567', 'tel[телефон], WhatsApp[телефон]'],
    // An extension goes with its number.
    ['+7 (910) 123-45-67 доб. 123', '[телефон]'],
  ])('replaces the phone number in %s', (text, expected) => {
    expect(redactPii(text)).toBe(expected);
  });

  it.each([
    ['Звоните +7 (910) 123-45-67 или 8 910 123 45 67.', 'Звоните [телефон] или [телефон].'],
    ['8 (4842) 56-78-90, 56-78-91', '[телефон], [телефон]'],
    ['89101234567,89107654321', '[телефон],[телефон]'],
    [
      'Бригадир 8 910 123 45 67, 8 910 765 43 21; офис 8 (4842) 56-78-90 и 756-78-90',
      'Бригадир [телефон], [телефон]; офис [телефон] и [телефон]',
    ],
    // The library reads ", 12" after a number as an extension: the count must survive.
    ['Офис 8 (4842) 56-78-90, 12 подъездов на Ленина', 'Офис [телефон], 12 подъездов на Ленина'],
    [
      'Перезвоните на 89101234567 или напишите ivan.petrov@mail.ru, диспетчер т.56-78-90',
      'Перезвоните на [телефон] или напишите [email], диспетчер т.[телефон]',
    ],
  ])('replaces every contact in %s', (text, expected) => {
    expect(redactPii(text)).toBe(expected);
  });

  it.each([
    // A dashed date with a two-digit year has a Kaluga number's shape; redacting it is the safe side.
    ['Срок 26-11-24', 'Срок [телефон]'],
    // A ten-digit string that is a valid Russian number (4012 is Kaliningrad's area code) reads as one.
    ['ИНН 4012345678', 'ИНН [телефон]'],
  ])('errs on the side of redaction in %s', (text, expected) => {
    expect(redactPii(text)).toBe(expected);
  });

  it.each([
    'Дом 12а на улице Ленина, подъезд 3, кв. 145',
    'Подъезды 1-3, этажи 2-9, 10-12 этаж',
    '01.02.2024',
    '01.02.24',
    '2026-11-26',
    '26.11.2026 в 9:00',
    'Уборка 2026-11-26 в 9:00, стоимость 3 500 рублей',
    'с 01.02.2024 по 01.03.2024',
    'с 8:00 до 20:00, смена 08:00-20:00',
    'в 2024-2025 годах',
    '3 500 рублей',
    '12 000 000 руб.',
    'Договор № 2024-118-07 от 01.02.2024',
    '348 домов, 82 сотрудника, 6 бригад',
    'Индекс 248000, Калуга',
    'ИНН 4027012345, КПП 402701001, ОГРН 1024001234567',
    'ИНН 402701234567',
    'р/с 40702810123450001234, БИК 042908612',
  ])('leaves addresses, dates, prices, counts and requisites alone: %s', (text) => {
    expect(redactPii(text)).toBe(text);
  });
});
