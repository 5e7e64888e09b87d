import { describe, expect, it } from 'vitest';
import { splitSentences } from './sentences.js';

describe('splitSentences', () => {
  it('splits at sentence ends but not after abbreviations and initials', () => {
    expect(splitSentences('Уборка по графику. Окна моем в апреле! Вопросы? Звоните.')).toEqual([
      'Уборка по графику.',
      'Окна моем в апреле!',
      'Вопросы?',
      'Звоните.',
    ]);
    expect(splitSentences('Офис на ул. Ленина, д. 5. Директор А. С. Иванов. Цена 150 руб. в месяц.')).toEqual(
      ['Офис на ул. Ленина, д. 5.', 'Директор А. С. Иванов.', 'Цена 150 руб. в месяц.'],
    );
    expect(splitSentences('«Готово!» Следующий шаг.')).toEqual(['«Готово!»', 'Следующий шаг.']);
  });

  // Long runs of marks and many abbreviations in one sentence used to take quadratic time (60 KB of "!"
  // blocked the service for 11 s); the test's timeout catches such a hang coming back.
  it.each([
    ['a long run of marks', `${'!'.repeat(60_000)} Конец.`],
    ['many initials', 'А. '.repeat(20_000)],
    ['many abbreviations', 'ул. Д. '.repeat(10_000)],
  ])('handles %s without stalling', { timeout: 3000 }, (_name, text) => {
    const sentences = splitSentences(text);
    expect(sentences.join(' ').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
  });
});
