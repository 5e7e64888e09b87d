import type { CompanyProfile } from '../company/company-profile.js';
import { contentStems, stem } from '../retrieval/russian-text.js';

/** "1 дом", "3 дома", "5 домов". */
export function plural(count: number, one: string, few: string, many: string): string {
  const lastTwo = count % 100;
  const last = count % 10;
  const word = lastTwo >= 11 && lastTwo <= 14 ? many : last === 1 ? one : last >= 2 && last <= 4 ? few : many;
  return `${count} ${word}`;
}

type Topic =
  | 'houses'
  | 'brigades'
  | 'employees'
  | 'clients'
  | 'services'
  | 'schedule'
  | 'quality'
  | 'pricing';

/** Words that point at a topic, compared by stem so any word form counts. */
const TOPIC_WORDS: Record<Topic, string[]> = {
  houses: ['дом', 'домов', 'здание', 'адрес', 'район', 'районы', 'объект', 'обслуживаете', 'подъездов'],
  brigades: ['бригада', 'бригады', 'бригадир', 'команда', 'отвечает', 'закреплена'],
  employees: ['сотрудник', 'сотрудников', 'работник', 'персонал', 'штат', 'уборщица', 'уборщик', 'людей'],
  clients: ['клиент', 'клиентов', 'ук', 'тсж', 'управляющая', 'заказчик', 'договор', 'компании'],
  services: ['услуга', 'услуги', 'уборка', 'убирать', 'мыть', 'мытье', 'окна', 'лифт', 'мусор', 'входит'],
  schedule: ['график', 'расписание', 'когда', 'часто', 'периодичность', 'день', 'неделю', 'суббота', 'время'],
  quality: [
    'жалоба',
    'жалобу',
    'претензия',
    'грязно',
    'плохо',
    'качество',
    'проверка',
    'недовольны',
    'убрали',
  ],
  pricing: ['цена', 'стоимость', 'стоит', 'тариф', 'прайс', 'оплата', 'дорого', 'рублей'],
};

const TOPIC_STEMS = new Map<string, Topic[]>();
for (const [topic, words] of Object.entries(TOPIC_WORDS) as [Topic, string[]][]) {
  for (const word of words) {
    const key = stem(word);
    TOPIC_STEMS.set(key, [...(TOPIC_STEMS.get(key) ?? []), topic]);
  }
}

/** The profile's topics a question touches, most mentioned first. */
export function detectTopics(message: string): Topic[] {
  const hits = new Map<Topic, number>();
  for (const wordStem of contentStems(message)) {
    for (const topic of TOPIC_STEMS.get(wordStem) ?? []) hits.set(topic, (hits.get(topic) ?? 0) + 1);
  }
  return [...hits.entries()].sort((left, right) => right[1] - left[1]).map(([topic]) => topic);
}

function mentionedDistricts(message: string, profile: CompanyProfile) {
  const stems = new Set(contentStems(message));
  return profile.districts.filter((district) => contentStems(district.name).every((part) => stems.has(part)));
}

function brigadesOf(profile: CompanyProfile, districtName: string): number[] {
  return profile.brigades
    .filter((brigade) => brigade.districts.includes(districtName))
    .map((brigade) => brigade.number);
}

function housesAnswer(message: string, profile: CompanyProfile): string {
  const districts = mentionedDistricts(message, profile);
  if (districts.length > 0) {
    return districts
      .map((district) => {
        const brigades = brigadesOf(profile, district.name);
        const served = brigades.length > 0 ? `; его обслуживает бригада № ${brigades.join(', ')}` : '';
        return `В районе ${district.name} мы обслуживаем ${plural(district.houses, 'дом', 'дома', 'домов')}${served}.`;
      })
      .join(' ');
  }
  const list = profile.districts.map((district) => `${district.name} — ${district.houses}`).join(', ');
  return `${profile.company.name} обслуживает ${plural(profile.totalHouses, 'многоквартирный дом', 'многоквартирных дома', 'многоквартирных домов')} в городе ${profile.company.city}. По районам: ${list}.`;
}

function brigadesAnswer(message: string, profile: CompanyProfile): string {
  const districts = mentionedDistricts(message, profile);
  if (districts.length > 0) {
    return districts
      .map((district) => {
        const brigades = brigadesOf(profile, district.name);
        return brigades.length > 0
          ? `Район ${district.name} обслуживает бригада № ${brigades.join(', ')}.`
          : `За районом ${district.name} сейчас не закреплена бригада.`;
      })
      .join(' ');
  }
  const list = profile.brigades
    .map((brigade) => `бригада № ${brigade.number} — ${brigade.districts.join(', ')}`)
    .join('; ');
  return `У нас ${plural(profile.brigades.length, 'бригада', 'бригады', 'бригад')}: ${list}.`;
}

const ANSWERS: Record<Topic, (message: string, profile: CompanyProfile) => string> = {
  houses: housesAnswer,
  brigades: brigadesAnswer,
  employees: (_message, profile) =>
    `В компании ${plural(profile.employees, 'сотрудник', 'сотрудника', 'сотрудников')}, они работают в ${plural(profile.brigades.length, 'бригаде', 'бригадах', 'бригадах')}.`,
  clients: (_message, profile) =>
    `Мы работаем по договорам с ${plural(profile.clients.total, 'клиентом', 'клиентами', 'клиентами')}: ${profile.clients.kinds.join(' и ')}.`,
  services: (_message, profile) =>
    `В уборку подъездов входит: ${profile.services.map((service) => `${service.name.toLowerCase()} (${service.frequency})`).join('; ')}.`,
  schedule: (_message, profile) => profile.schedule,
  quality: (_message, profile) => profile.quality,
  pricing: (_message, profile) => profile.pricing,
};

/**
 * An answer built from the company profile for the topics a question asks about, used when neither an
 * LLM nor a similar rated answer is available. It never reuses an old answer.
 */
export function fallbackAnswer(message: string, profile: CompanyProfile): string {
  const topics = detectTopics(message).slice(0, 2);
  if (topics.length === 0) {
    return `${profile.company.name} (${profile.company.city}) — ${profile.company.description.charAt(0).toLowerCase()}${profile.company.description.slice(1)} Я могу рассказать о домах и районах, бригадах, услугах, графике уборки, стоимости и о том, как передать жалобу. Уточните, пожалуйста, вопрос.`;
  }
  return topics.map((topic) => ANSWERS[topic](message, profile)).join(' ');
}
