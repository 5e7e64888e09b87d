import { AppError } from '../platform/errors.js';

export interface QuestionAnswer {
  question: string;
  answer: string;
}

/** How many bad lines one error message names; the rest are counted. */
const REPORTED_PROBLEMS = 5;

function problemOf(line: string): string | QuestionAnswer {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `не JSON (${(error as Error).message})`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'ожидался объект {"question": "…", "answer": "…"}';
  }
  const record = value as Record<string, unknown>;
  const missing = (['question', 'answer'] as const).filter(
    (field) => typeof record[field] !== 'string' || (record[field] as string).trim() === '',
  );
  if (missing.length > 0) {
    const hint = 'q' in record || 'a' in record ? ' (поля называются "question" и "answer")' : '';
    return `нужно ${missing.map((field) => `поле "${field}" — непустая строка`).join(' и ')}${hint}`;
  }
  return { question: (record.question as string).trim(), answer: (record.answer as string).trim() };
}

/**
 * A Q&A list in JSON Lines: one `{"question": "…", "answer": "…"}` object per line (other fields are
 * ignored, blank lines skipped). Bad lines are reported by number (counting from 1) with what is wrong.
 */
export function parseQuestionAnswerLines(content: string): QuestionAnswer[] {
  const pairs: QuestionAnswer[] = [];
  const problems: string[] = [];
  for (const [index, line] of content.split('\n').entries()) {
    if (line.trim() === '') continue;
    const parsed = problemOf(line);
    if (typeof parsed === 'string') problems.push(`строка ${index + 1}: ${parsed}`);
    else pairs.push(parsed);
  }
  if (problems.length > 0) {
    const more = problems.length - REPORTED_PROBLEMS;
    const listed = problems.slice(0, REPORTED_PROBLEMS).join('; ');
    throw new AppError(
      'invalid_input',
      `Ошибки в списке вопросов и ответов (JSONL): ${listed}${more > 0 ? `; и ещё ${more}` : ''}`,
    );
  }
  return pairs;
}
