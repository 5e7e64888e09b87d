import { describe, expect, it } from 'vitest';
import { redactPii } from './pii.js';

describe('redactPii', () => {
  it.each([
    ['Пишите на ivan.petrov@mail.ru или vasdom-info@yandex.ru.', 'Пишите на [email] или [email].'],
    ['Звоните +7 (910) 123-45-67 или 8 910 123 45 67.', 'Звоните [телефон] или [телефон].'],
    ['Мой номер 89101234567, рабочий +79101234567', 'Мой номер [телефон], рабочий [телефон]'],
    ['Диспетчер: 56-78-90 нет, 756-78-90', 'Диспетчер: 56-78-90 нет, [телефон]'],
    ['Из Минска: +375 29 123-45-67', 'Из Минска: [телефон]'],
  ])('replaces contacts in %s', (text, expected) => {
    expect(redactPii(text)).toBe(expected);
  });

  it.each([
    'Дом 12а на улице Ленина, подъезд 3, кв. 145',
    'Уборка 2026-11-26 в 9:00, стоимость 3 500 рублей',
    'Договор № 2024-118-07 от 01.02.2024',
    '348 домов, 82 сотрудника, 6 бригад',
  ])('leaves addresses, dates, prices and numbers alone: %s', (text) => {
    expect(redactPii(text)).toBe(text);
  });
});
