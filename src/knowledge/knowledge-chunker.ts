import type { KnowledgeDocumentTable } from '../storage/tables.js';
import { parseQuestionAnswerLines } from './question-answer-lines.js';
import { splitSentences } from './sentences.js';

export type KnowledgeFormat = KnowledgeDocumentTable['format'];
export const KNOWLEDGE_FORMATS = [
  'markdown',
  'text',
  'qa_jsonl',
] as const satisfies readonly KnowledgeFormat[];

/** One piece of a document, indexed and retrieved on its own. */
export interface DocumentChunk {
  /** Markdown: the headings above the text ("Регламент › Окна"); Q&A: the question; else empty. */
  title: string;
  text: string;
  /** Set for Q&A chunks only. */
  question: string | null;
  answer: string | null;
}

/** Joins the headings above a chunk into its title. */
export const HEADING_SEPARATOR = ' › ';

/** Line endings and a byte-order mark do not make a document different. */
export function normalizeContent(content: string): string {
  return content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** Splits a document into chunks of at most `maxChars` characters (Q&A pairs stay whole); none empty. */
export function chunkDocument(format: KnowledgeFormat, content: string, maxChars: number): DocumentChunk[] {
  const normalized = normalizeContent(content);
  if (format === 'qa_jsonl') {
    return parseQuestionAnswerLines(normalized).map(({ question, answer }) => ({
      title: question,
      text: `${question}\n${answer}`,
      question,
      answer,
    }));
  }
  const sections =
    format === 'markdown'
      ? markdownSections(normalized)
      : [{ headings: [], paragraphs: paragraphsOf(normalized) }];
  return sections.flatMap((section) =>
    pack(section.paragraphs, maxChars).map((text) => ({
      title: section.headings.join(HEADING_SEPARATOR),
      text,
      question: null,
      answer: null,
    })),
  );
}

interface Section {
  headings: string[];
  paragraphs: string[];
}

function paragraphsOf(text: string): string[] {
  return text
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '');
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

/** YAML front matter at the very start ("---" … "---") is metadata, not text. */
function withoutFrontMatter(lines: string[]): string[] {
  if (lines[0]?.trim() !== '---') return lines;
  const end = lines.findIndex((line, index) => index > 0 && /^(---|\.\.\.)\s*$/.test(line));
  return end === -1 ? lines : lines.slice(end + 1);
}

/**
 * Markdown as sections: the paragraphs under each heading with the path of headings above them. ATX
 * (`## Окна`) and setext (underlined) headings count; fenced code is kept whole, `#` inside it is text.
 */
function markdownSections(content: string): Section[] {
  const sections: Section[] = [];
  const stack: { level: number; text: string }[] = [];
  let paragraphs: string[] = [];
  let lines: string[] = [];
  let fence: string | undefined;

  const endParagraph = () => {
    const paragraph = lines.join('\n').trim();
    if (paragraph !== '') paragraphs.push(paragraph);
    lines = [];
  };
  const startSection = (level: number, text: string) => {
    endParagraph();
    if (paragraphs.length > 0) sections.push({ headings: stack.map((entry) => entry.text), paragraphs });
    paragraphs = [];
    while (stack.length > 0 && (stack.at(-1)?.level as number) >= level) stack.pop();
    if (text !== '') stack.push({ level, text });
  };

  for (const line of withoutFrontMatter(content.split('\n'))) {
    const fenceMark = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      lines.push(line);
      if (fenceMark === fence) fence = undefined;
      continue;
    }
    if (fenceMark !== undefined) {
      endParagraph();
      fence = fenceMark;
      lines.push(line);
      continue;
    }
    const atx = ATX_HEADING.exec(line);
    if (atx) {
      startSection((atx[1] as string).length, (atx[2] ?? '').trim());
      continue;
    }
    const underline = SETEXT_UNDERLINE.exec(line)?.[1];
    if (underline !== undefined && lines.length > 0) {
      const text = lines.join(' ').trim();
      lines = [];
      startSection(underline.startsWith('=') ? 1 : 2, text);
      continue;
    }
    if (line.trim() === '' || THEMATIC_BREAK.test(line)) endParagraph();
    else lines.push(line);
  }
  startSection(0, '');
  return sections;
}

/** A piece of text no longer than a chunk, and what joins it to the piece before it in the same chunk. */
interface Piece {
  text: string;
  joiner: string;
}

/**
 * Greedily fills chunks of at most `maxChars` with the paragraphs (joined by a blank line); a paragraph
 * too long for a chunk is split, and its pieces fill the chunks as they come.
 */
function pack(paragraphs: readonly string[], maxChars: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const { text, joiner } of paragraphs.flatMap((paragraph) => piecesOf(paragraph, maxChars, '\n\n'))) {
    if (current !== '' && current.length + joiner.length + text.length <= maxChars) {
      current += joiner + text;
    } else {
      if (current !== '') chunks.push(current);
      current = text;
    }
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/** A paragraph as pieces that fit a chunk: whole, else by lines (lists, tables), sentences, words. */
function piecesOf(text: string, maxChars: number, joiner: string): Piece[] {
  if (text.length <= maxChars) return [{ text, joiner }];
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length > 1)
    return lines.flatMap((line, index) => piecesOf(line, maxChars, index === 0 ? joiner : '\n'));
  const sentences = splitSentences(text);
  if (sentences.length > 1) {
    return sentences.flatMap((sentence, index) => piecesOf(sentence, maxChars, index === 0 ? joiner : ' '));
  }
  // A "word" longer than a chunk (a URL, a run of symbols) is cut.
  const words = text
    .trim()
    .split(/\s+/)
    .flatMap((word) =>
      Array.from({ length: Math.ceil(word.length / maxChars) }, (_, part) =>
        word.slice(part * maxChars, (part + 1) * maxChars),
      ),
    );
  return words.map((word, index) => ({ text: word, joiner: index === 0 ? joiner : ' ' }));
}
