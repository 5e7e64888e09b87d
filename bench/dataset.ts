import { loadCompanyProfile } from '../src/company/company-profile.js';
import { Rng, seedFor } from './random.js';
import { render, type Slots } from './template.js';
import type { Intent } from './topics.js';
import { CLIENT_TOPICS } from './topics-clients.js';
import { RESIDENT_TOPICS } from './topics-residents.js';
import {
  ACCESS_OBJECTS,
  CLEANING_DAYS,
  CLIENTS,
  DISTRICTS,
  EQUIPMENT,
  JOB_TITLES,
  MONTHS,
  ON_WEEKDAYS,
  PROBLEMS,
  SERVICES,
  STAFF_NAMES,
  type Street,
  TIME_WINDOWS,
} from './vocabulary.js';

/** Houses per district, from the company profile the service ships. */
const HOUSES_BY_DISTRICT = new Map(
  loadCompanyProfile().districts.map((district) => [district.name, district.houses]),
);

function housesIn(district: string): number {
  const houses = HOUSES_BY_DISTRICT.get(district);
  if (houses === undefined) throw new Error(`district ${district} is not in the company profile`);
  return houses;
}

const STREAM_CONVERSATION = 1;
const STREAM_PARAPHRASE = 2;
/** Every topic; the order fixes which conversation index gets which topic, so keep it stable. */
const TOPICS = [...RESIDENT_TOPICS, ...CLIENT_TOPICS];
const TOPIC_WEIGHTS = TOPICS.map((topic) => topic.weight);

/** One generated exchange: what the resident asked, what the stored (and rated) answer says. */
export interface GeneratedConversation {
  index: number;
  topic: string;
  question: string;
  answer: string;
}

/** Everything the seeder stores about a rated conversation besides its text. */
export interface ConversationRecord extends GeneratedConversation {
  id: string;
  sessionId: string;
  modelUsed: string;
  answerSource: 'llm' | 'retrieval';
  responseTimeMs: number;
  similarFound: number;
  rating: number;
  /** An earlier, lower rating replaced by `rating` (some residents re-rate). */
  earlierRating: number | undefined;
  comment: string | null;
  createdAt: string;
  ratedAt: string;
}

const COMMENTS = [
  'Спасибо, помогло',
  'Всё понятно',
  'Быстро ответили',
  'Отличный ответ',
  'Спасибо!',
  'Полезно',
  'Уборку действительно перенесли',
];

function houseNumber(rng: Rng): string {
  const number = String(rng.weighted([rng.int(1, 40), rng.int(41, 120), rng.int(121, 260)], [6, 3, 1]));
  if (rng.chance(0.12)) return `${number} к${rng.int(1, 4)}`;
  if (rng.chance(0.06)) return `${number}${rng.pick(['а', 'б', 'в'])}`;
  if (rng.chance(0.04)) return `${number}/${rng.int(1, 30)}`;
  return number;
}

/** The same address written the way people write it: "ул. Кирова, д. 15", "Кирова 15", … */
function addressSlot(street: Street, house: string): (rng: Rng) => string {
  return (rng) =>
    rng.weighted(
      [
        `${street.short}, д. ${house}`,
        `${street.bare} ${house}`,
        `${street.full}, ${house}`,
        `${street.bare}, дом ${house}`,
        `${street.short}, ${house}`,
      ],
      [4, 3, 2, 2, 2],
    );
}

function dateText(rng: Rng): string {
  return `${rng.int(1, 28)} ${rng.pick(MONTHS)}`;
}

/** The facts of one conversation; rendering picks the wording. */
function makeSlots(rng: Rng): Slots {
  const district = rng.pick(DISTRICTS);
  const street = rng.pick(district.streets);
  const house = houseNumber(rng);
  const floors = rng.weighted([5, 9, 10, 12, 14, 16, 17], [5, 5, 2, 2, 1, 2, 1]);
  const area = floors * rng.int(30, 55);
  const timesPerWeek = rng.int(1, 3);
  return {
    address: addressSlot(street, house),
    entrance: String(rng.int(1, floors > 9 ? 4 : 8)),
    floor: String(rng.int(1, floors)),
    floors: String(floors),
    apartment: String(rng.int(1, floors * 16)),
    district: district.name,
    where: district.where,
    brigade: String(district.brigade),
    brigadier: district.brigadier,
    houses: String(housesIn(district.name)),
    client: rng.pick(CLIENTS),
    days: rng.pick(CLEANING_DAYS),
    on_weekday: (r) => r.pick(ON_WEEKDAYS),
    time: rng.pick(TIME_WINDOWS),
    date: dateText(rng),
    month: (r) => r.pick(['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'сентябрь', 'октябрь']),
    problem: rng.pick(PROBLEMS),
    equipment: rng.pick(EQUIPMENT),
    service: rng.pick(SERVICES),
    access: rng.pick(ACCESS_OBJECTS),
    job: rng.pick(JOB_TITLES),
    staff: rng.pick(STAFF_NAMES),
    price_m2: String(rng.int(14, 42)),
    price_month: String(Math.round((area * rng.int(14, 42) * timesPerWeek) / 2 / 50) * 50),
    area: String(area),
  };
}

interface Drawn {
  rng: Rng;
  topic: string;
  intent: Intent;
  slots: Slots;
  templateIndex: number;
}

function draw(index: number): Drawn {
  const rng = new Rng(seedFor(STREAM_CONVERSATION, index));
  const topic = rng.weighted(TOPICS, TOPIC_WEIGHTS);
  const intent = rng.pick(topic.intents);
  const slots = makeSlots(rng);
  const templateIndex = rng.int(0, intent.questions.length - 1);
  return { rng, topic: topic.name, intent, slots, templateIndex };
}

/** Conversation `index` of the stored data set; the same index always gives the same text. */
export function generateConversation(index: number): GeneratedConversation {
  const { rng, topic, intent, slots, templateIndex } = draw(index);
  return {
    index,
    topic,
    question: render(intent.questions[templateIndex] as string, slots, rng),
    answer: render(rng.pick(intent.answers), slots, rng),
  };
}

/**
 * Another way to ask stored question `index`: same facts (address, entrance…), another question of the
 * same intent where there is one, other synonyms, and the slips people make when typing.
 */
export function paraphrase(index: number, variant: number): string {
  const { intent, slots, templateIndex } = draw(index);
  const rng = new Rng(seedFor(STREAM_PARAPHRASE, index * 31 + variant));
  const count = intent.questions.length;
  const template = count > 1 ? (templateIndex + rng.int(1, count - 1)) % count : templateIndex;
  return roughen(render(intent.questions[template] as string, slots, rng), rng);
}

const GREETINGS = ['Здравствуйте! ', 'Добрый день. ', 'Подскажите, ', 'Вопрос: ', 'Алло, ', ''];

/** Casual typing: a greeting, lower case, lost punctuation, a swapped pair of letters. */
export function roughen(text: string, rng: Rng): string {
  let result = text;
  if (rng.chance(0.3)) result = rng.pick(GREETINGS) + result.charAt(0).toLowerCase() + result.slice(1);
  if (rng.chance(0.3)) result = result.toLowerCase();
  if (rng.chance(0.3)) result = result.replace(/[?.!]+$/, '');
  if (rng.chance(0.2)) {
    const words = result.split(' ');
    const at = rng.int(0, words.length - 1);
    const word = words[at] as string;
    if (word.length > 5) {
      const position = rng.int(1, word.length - 3);
      words[at] =
        word.slice(0, position) +
        word.charAt(position + 1) +
        word.charAt(position) +
        word.slice(position + 2);
      result = words.join(' ');
    }
  }
  return result;
}

/** The full stored record for conversation `index`, dated within the year before `now`. */
export function conversationRecord(index: number, now: number): ConversationRecord {
  const conversation = generateConversation(index);
  const rng = new Rng(seedFor(STREAM_CONVERSATION + 100, index));
  // Now and then a conversation continues the previous one's session (a follow-up question).
  const sessionRng = new Rng(seedFor(STREAM_CONVERSATION + 200, rng.chance(0.3) ? index - 1 : index));
  const created = now - rng.int(1, 365 * 24 * 60) * 60_000;
  const rated = Math.min(now - 1000, created + rng.int(10, 3 * 24 * 3600) * 1000);
  const fromLlm = rng.chance(0.8);
  const rating = rng.chance(0.65) ? 5 : 4;
  return {
    ...conversation,
    id: rng.uuid(),
    sessionId: sessionRng.uuid(),
    modelUsed: fromLlm ? 'gpt-4o-mini' : 'retrieval',
    answerSource: fromLlm ? 'llm' : 'retrieval',
    responseTimeMs: fromLlm ? rng.int(600, 4500) + rng.next() : rng.int(2, 40) + rng.next(),
    similarFound: fromLlm ? rng.int(0, 3) : rng.int(1, 3),
    rating,
    earlierRating: rng.chance(0.05) ? rng.int(2, 3) : undefined,
    comment: rng.chance(0.25) ? rng.pick(COMMENTS) : null,
    createdAt: new Date(created).toISOString(),
    ratedAt: new Date(rated).toISOString(),
  };
}
