import type { CompanyProfile } from '../company/company-profile.js';
import type { ChatMessage } from '../providers/chat/chat-model.js';
import type { PromptTemplate } from './prompt-template.js';

export interface PromptExample {
  question: string;
  answer: string;
  /** curated: an answer an administrator vouches for; conversation: a past answer with its rating. */
  source: 'curated' | 'conversation';
  rating: number | null;
  similarity: number;
}

/** A knowledge-base chunk given to the LLM, with the document it comes from. */
export interface KnowledgePassage {
  documentTitle: string;
  /** The section within the document, when there is one. */
  section: string | null;
  text: string;
  similarity: number;
}

function exampleLabel(example: PromptExample): string {
  if (example.source === 'curated') return 'проверенный ответ компании';
  return example.rating === null ? 'без оценки' : `оценка ${example.rating}/5`;
}

export function companyFacts(profile: CompanyProfile): string {
  const districts = profile.districts.map((district) => `${district.name} — ${district.houses}`).join(', ');
  const brigades = profile.brigades
    .map((brigade) => `№ ${brigade.number}: ${brigade.districts.join(', ')}`)
    .join('; ');
  const services = profile.services.map((service) => `${service.name} (${service.frequency})`).join('; ');
  return [
    `Компания: ${profile.company.name}, город ${profile.company.city}. ${profile.company.description}`,
    `Домов на обслуживании: ${profile.totalHouses}. По районам: ${districts}.`,
    `Сотрудников: ${profile.employees}. Бригад: ${profile.brigades.length} (${brigades}).`,
    `Клиентов: ${profile.clients.total} (${profile.clients.kinds.join(', ')}).`,
    `Услуги: ${services}.`,
    `График: ${profile.schedule}`,
    `Качество и жалобы: ${profile.quality}`,
    `Стоимость: ${profile.pricing}`,
  ].join('\n');
}

/** An earlier exchange of the same session, for follow-up questions. */
export interface PastTurn {
  question: string;
  answer: string;
}

function exampleItem(example: PromptExample, index: number): string {
  return [
    `${index + 1}. Вопрос: ${example.question}`,
    `   Ответ (${exampleLabel(example)}, сходство ${example.similarity.toFixed(2)}): ${example.answer}`,
  ].join('\n');
}

function passageItem(passage: KnowledgePassage, index: number): string {
  const section = passage.section === null ? '' : `, раздел «${passage.section}»`;
  return [
    `${index + 1}. Документ «${passage.documentTitle}»${section} (сходство ${passage.similarity.toFixed(2)}):`,
    ...passage.text.split('\n').map((line) => `   ${line}`),
  ].join('\n');
}

/**
 * The messages for the LLM: the system prompt from the template (who the assistant is, the company's
 * facts, the best-rated similar answers and the matching passages of the company's documents), the
 * session's earlier turns, oldest first, then the question.
 */
export function buildPrompt(
  template: PromptTemplate,
  profile: CompanyProfile,
  context: {
    examples: readonly PromptExample[];
    passages: readonly KnowledgePassage[];
    history: readonly PastTurn[];
  },
  question: string,
): ChatMessage[] {
  const system = template.render({
    companyName: profile.company.name,
    companyFacts: companyFacts(profile),
    examples: context.examples.map(exampleItem),
    knowledge: context.passages.map(passageItem),
  });
  return [
    { role: 'system', content: system },
    ...context.history.flatMap((turn): ChatMessage[] => [
      { role: 'user', content: turn.question },
      { role: 'assistant', content: turn.answer },
    ]),
    { role: 'user', content: question },
  ];
}
