import type { CompanyProfile } from '../company/company-profile.js';
import type { ChatMessage } from '../llm/chat-model.js';

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

/**
 * The system prompt: who the assistant is, the company's facts, the best-rated similar answers and the
 * matching passages of the company's documents.
 */
export function buildPrompt(
  profile: CompanyProfile,
  examples: readonly PromptExample[],
  question: string,
  passages: readonly KnowledgePassage[] = [],
): ChatMessage[] {
  const parts = [
    `Ты — ассистент клининговой компании «${profile.company.name}» для менеджеров и сотрудников бригад.`,
    'Отвечай по-русски, кратко и по делу. Опирайся на факты о компании ниже; если точных данных нет, так и скажи и предложи, у кого уточнить. Не выдумывай адреса, телефоны и цифры.',
    '',
    'Факты о компании:',
    companyFacts(profile),
  ];
  if (examples.length > 0) {
    parts.push(
      '',
      'Похожие вопросы, на которые уже были даны ответы: проверенные ответы компании и прошлые ответы с оценками пользователей (1–5):',
    );
    examples.forEach((example, index) => {
      parts.push(
        `${index + 1}. Вопрос: ${example.question}`,
        `   Ответ (${exampleLabel(example)}, сходство ${example.similarity.toFixed(2)}): ${example.answer}`,
      );
    });
    parts.push('Используй эти ответы, если они подходят к новому вопросу.');
  }
  if (passages.length > 0) {
    parts.push('', 'Из базы знаний компании (документы и ответы на частые вопросы):');
    passages.forEach((passage, index) => {
      const section = passage.section === null ? '' : `, раздел «${passage.section}»`;
      parts.push(
        `${index + 1}. Документ «${passage.documentTitle}»${section} (сходство ${passage.similarity.toFixed(2)}):`,
        ...passage.text.split('\n').map((line) => `   ${line}`),
      );
    });
    parts.push(
      'Опирайся на эти сведения, если они относятся к вопросу, и назови документ, из которого они взяты.',
    );
  }
  return [
    { role: 'system', content: parts.join('\n') },
    { role: 'user', content: question },
  ];
}
