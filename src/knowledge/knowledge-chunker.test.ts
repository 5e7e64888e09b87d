import { describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.js';
import { chunkDocument, normalizeContent } from './knowledge-chunker.js';
import { splitSentences } from './sentences.js';

const REGULATIONS = `---
author: отдел качества
---
# Регламент уборки

Общие правила для всех бригад.

## Влажная уборка

Полы моют по вторникам и пятницам.

Перила протирают в те же дни.

## Окна

### Весна

Окна моют в апреле.

Осень
-----

Окна моют в сентябре.

\`\`\`
# это не заголовок
\`\`\`
`;

describe('chunkDocument: Markdown', () => {
  it('splits by headings and keeps the path of headings as the title', () => {
    const chunks = chunkDocument('markdown', REGULATIONS, 800);
    expect(chunks.map((chunk) => [chunk.title, chunk.text])).toEqual([
      ['Регламент уборки', 'Общие правила для всех бригад.'],
      [
        'Регламент уборки › Влажная уборка',
        'Полы моют по вторникам и пятницам.\n\nПерила протирают в те же дни.',
      ],
      ['Регламент уборки › Окна › Весна', 'Окна моют в апреле.'],
      ['Регламент уборки › Осень', 'Окна моют в сентябре.\n\n```\n# это не заголовок\n```'],
    ]);
    for (const chunk of chunks) {
      expect(chunk.question).toBeNull();
      expect(chunk.answer).toBeNull();
    }
  });

  it('packs paragraphs up to the size and splits a long paragraph at sentence ends', () => {
    const sentence = (n: number) => `Предложение номер ${n} о графике уборки подъездов в Калуге.`;
    const long = Array.from({ length: 30 }, (_, n) => sentence(n + 1)).join(' ');
    const chunks = chunkDocument('markdown', `# График\n\nКороткий абзац.\n\n${long}`, 300);
    expect(chunks.length).toBeGreaterThan(4);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(300);
      expect(chunk.text.trim()).not.toBe('');
      expect(chunk.title).toBe('График');
      // Every piece of the long paragraph ends at the end of a sentence.
      expect(chunk.text).toMatch(/\.$/);
    }
    expect(chunks[0]?.text.startsWith('Короткий абзац.\n\nПредложение номер 1 ')).toBe(true);
    const rejoined = chunks.map((chunk) => chunk.text).join(' ');
    for (let n = 1; n <= 30; n++) expect(rejoined).toContain(sentence(n));
  });

  it('splits a long list by lines and a sentence longer than a chunk by words', () => {
    const list = Array.from({ length: 20 }, (_, n) => `- пункт ${n + 1}: проверить освещение`).join('\n');
    const listChunks = chunkDocument('markdown', list, 120);
    expect(listChunks.length).toBeGreaterThan(1);
    for (const chunk of listChunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(120);
      expect(chunk.text.split('\n').every((line) => line.startsWith('- пункт'))).toBe(true);
    }
    const words = Array.from({ length: 100 }, () => 'слово').join(' ');
    const wordChunks = chunkDocument('text', words, 200);
    expect(wordChunks.every((chunk) => chunk.text.length <= 200 && !chunk.text.startsWith(' '))).toBe(true);
    expect(wordChunks.map((chunk) => chunk.text).join(' ')).toBe(words);
  });

  it('makes no chunk from headings without text or from blank input', () => {
    expect(chunkDocument('markdown', '# Только заголовок\n\n## И ещё один\n', 800)).toEqual([]);
    expect(chunkDocument('markdown', '', 800)).toEqual([]);
    expect(chunkDocument('text', ' \n\n \t\n', 800)).toEqual([]);
    expect(chunkDocument('qa_jsonl', '\n\n', 800)).toEqual([]);
  });
});

describe('chunkDocument: plain text', () => {
  it('splits by paragraphs with no title, whatever the line endings', () => {
    const chunks = chunkDocument('text', '\uFEFFПервый абзац.\r\n\r\nВторой абзац.\r\n', 20);
    expect(chunks).toEqual([
      { title: '', text: 'Первый абзац.', question: null, answer: null },
      { title: '', text: 'Второй абзац.', question: null, answer: null },
    ]);
    expect(normalizeContent('a\r\nb\rc')).toBe('a\nb\nc');
  });
});

describe('chunkDocument: Q&A lines', () => {
  it('makes one chunk per line, skipping blank lines', () => {
    const content = [
      JSON.stringify({ question: 'Когда моют окна?', answer: 'В апреле и сентябре.' }),
      '',
      JSON.stringify({ question: ' Кто убирает снег? ', answer: 'Дворник УК.', tags: ['зима'] }),
    ].join('\n');
    expect(chunkDocument('qa_jsonl', content, 10)).toEqual([
      {
        title: 'Когда моют окна?',
        text: 'Когда моют окна?\nВ апреле и сентябре.',
        question: 'Когда моют окна?',
        answer: 'В апреле и сентябре.',
      },
      {
        title: 'Кто убирает снег?',
        text: 'Кто убирает снег?\nДворник УК.',
        question: 'Кто убирает снег?',
        answer: 'Дворник УК.',
      },
    ]);
  });

  it('names every bad line by its number and says what is wrong', () => {
    const content = [
      JSON.stringify({ question: 'Когда моют окна?', answer: 'В апреле.' }),
      '{"question": "Сломанная строка", ',
      JSON.stringify({ q: 'Кто?', a: 'Мы.' }),
      '',
      JSON.stringify(['question', 'answer']),
      JSON.stringify({ question: 'Без ответа', answer: '  ' }),
    ].join('\n');
    let error: unknown;
    try {
      chunkDocument('qa_jsonl', content, 800);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_input');
    const message = (error as AppError).message;
    expect(message).toContain('строка 2: не JSON');
    expect(message).toContain('строка 3: нужно поле "question"');
    expect(message).toContain('(поля называются "question" и "answer")');
    expect(message).toContain('строка 5: ожидался объект');
    expect(message).toContain('строка 6: нужно поле "answer"');
    expect(message).not.toContain('строка 1:');
  });
});

describe('splitSentences', () => {
  it('ends sentences at . ! ? … before a capital, but not after abbreviations or initials', () => {
    expect(
      splitSentences(
        'Офис на ул. Ленина, д. 5. Звоните! Работаем с 9 до 18? Да… «Кавычки» тоже. А. С. Пушкин был бы рад. т. е. всё',
      ),
    ).toEqual([
      'Офис на ул. Ленина, д. 5.',
      'Звоните!',
      'Работаем с 9 до 18?',
      'Да…',
      '«Кавычки» тоже.',
      'А. С. Пушкин был бы рад. т. е. всё',
    ]);
    expect(splitSentences('  ')).toEqual([]);
  });
});
