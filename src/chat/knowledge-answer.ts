import type { KnowledgeMatch } from '../knowledge/knowledge.service.js';
import type { KnowledgeChunk } from '../knowledge/knowledge.store.js';
import { HEADING_SEPARATOR } from '../knowledge/knowledge-chunker.js';
import type { KnowledgePassage } from './prompt.js';

/**
 * The section of a document a chunk comes from: its headings, without the first when that one is the
 * document's own title (equal to it, or the top of a longer path of headings).
 */
function sectionOf(chunk: KnowledgeChunk): string | null {
  if (chunk.question !== null || chunk.title === '') return null;
  const headings = chunk.title.split(HEADING_SEPARATOR);
  if (headings[0] === chunk.documentTitle || headings.length > 1) headings.shift();
  return headings.length === 0 ? null : headings.join(HEADING_SEPARATOR);
}

/** A chunk for the LLM's prompt: a Q&A pair as question and answer, text as it is. */
export function knowledgePassage(match: KnowledgeMatch): KnowledgePassage {
  const { chunk } = match;
  return {
    documentTitle: chunk.documentTitle,
    section: sectionOf(chunk),
    text: chunk.question === null ? chunk.text : `Вопрос: ${chunk.question}\nОтвет: ${chunk.answer}`,
    similarity: match.score,
  };
}

/**
 * The answer given without an LLM from a knowledge-base chunk, saying where it comes from: a Q&A pair
 * answers with its answer, a passage of a document with its text.
 */
export function knowledgeAnswer(chunk: KnowledgeChunk): string {
  const section = sectionOf(chunk);
  const source = `«${chunk.documentTitle}»${section === null ? '' : `, раздел «${section}»`}`;
  return `Из базы знаний (${source}): ${chunk.answer ?? chunk.text}`;
}
