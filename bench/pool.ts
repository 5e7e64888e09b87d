import { generateConversation, paraphrase, roughen } from './dataset.js';
import { Rng, seedFor } from './random.js';
import { render, type Slots } from './template.js';
import { DISTRICTS, MONTHS } from './vocabulary.js';

const STREAM_POOL = 3;

/** Questions the stored conversations do not answer: off-topic, or on-topic with unseen facts. */
const UNRELATED: readonly string[] = [
  'Какая погода будет в Калуге {date}?',
  'Как доехать от {place} до {place2} на автобусе?',
  'Посоветуйте рецепт {dish} на [ужин|обед|праздник].',
  'Где в Калуге купить {item} [недорого|со скидкой|]?',
  'Сколько стоит ремонт {repair} в [квартире|доме]?',
  'Во сколько открывается {place} [в субботу|в воскресенье|по будням]?',
  'Переведите на английский [слово|фразу] «{word}».',
  'Кто выиграл [вчерашний|последний] матч {team}?',
  'Как [оплатить|передать показания] [за свет|за газ|за воду] через [Госуслуги|приложение банка]?',
  'Когда [отключат|включат] горячую воду {where}?',
  'Почему не работает лифт [в доме|на] {address}? [Вызовите мастера.|Застряли соседи.]',
  'Кто [чистит|убирает] снег [во дворе|на крыше] дома {address}?',
  'Как [поменять|заменить] [счётчик воды|батарею|входную дверь] в квартире {apartment}?',
  'Где [ближайшая|круглосуточная] [аптека|поликлиника|почта] {where}?',
  'Сколько будет {n} умножить на {m}?',
  'Расскажи анекдот про {word}.',
  'Когда [вывозят|вывезут] крупногабаритный мусор [с площадки|] у дома {address}?',
  'Можно ли [завести|держать] {pet} в квартире?',
  'Как записаться [к врачу|в детский сад|в бассейн] {where}?',
  'Какой курс [доллара|евро|юаня] на {date}?',
];

const VALUES: Record<string, readonly string[]> = {
  place: ['вокзала', 'Театральной площади', 'ТЦ «Европейский»', 'музея космонавтики', 'парка Циолковского'],
  place2: ['Правгорода', 'Анненок', 'Малинников', 'Кукуевки', 'Мстихино', 'аэропорта Грабцево'],
  dish: ['борща', 'сырников', 'плова', 'пельменей', 'шарлотки', 'окрошки', 'солянки', 'блинов'],
  item: ['краску для стен', 'велосипед', 'ёлку', 'обои', 'плитку', 'саженцы яблони', 'новый холодильник'],
  repair: ['крыши', 'стиральной машины', 'холодильника', 'телевизора', 'ванной', 'балкона', 'ноутбука'],
  word: ['подъезд', 'уборщица', 'швабра', 'чистота', 'лестница', 'соседи', 'управдом', 'кот'],
  team: ['«Зенит» — «Спартак»', '«Калуга» — «Торпедо»', 'ЦСКА — «Динамо»', 'сборной России'],
  pet: ['собаку', 'кошку', 'попугая', 'кроликов', 'хорька', 'черепаху'],
};

function unrelatedSlots(rng: Rng): Slots {
  const district = rng.pick(DISTRICTS);
  const street = rng.pick(district.streets);
  const house = String(rng.int(1, 200));
  const slots: Record<string, string> = {
    date: `${rng.int(1, 28)} ${rng.pick(MONTHS)}`,
    where: district.where,
    address: `${street.short}, д. ${house}`,
    apartment: String(rng.int(1, 240)),
    n: String(rng.int(2, 999)),
    m: String(rng.int(2, 99)),
  };
  for (const [name, values] of Object.entries(VALUES)) slots[name] = rng.pick(values);
  return slots;
}

export interface PoolOptions {
  size: number;
  /** Paraphrases and repeats are drawn from stored conversations 0 … storedRange-1. */
  storedRange: number;
}

export interface RequestPool {
  bodies: Buffer[];
  /** How many of each kind, in the order the pool holds them. */
  composition: { paraphrases: number; repeats: number; unrelated: number };
  distinctMessages: number;
}

/**
 * The request bodies for the load: 55 % paraphrases of stored questions, 10 % stored questions asked
 * again word for word, 35 % questions nothing stored answers. A third of the bodies continue a session.
 */
export function buildRequestPool(options: PoolOptions): RequestPool {
  const rng = new Rng(seedFor(STREAM_POOL, options.size));
  const messages: string[] = [];
  const composition = { paraphrases: 0, repeats: 0, unrelated: 0 };
  for (let entry = 0; entry < options.size; entry++) {
    const roll = rng.next();
    const stored = rng.int(0, Math.max(0, options.storedRange - 1));
    if (roll < 0.55 && options.storedRange > 0) {
      messages.push(paraphrase(stored, entry));
      composition.paraphrases++;
    } else if (roll < 0.65 && options.storedRange > 0) {
      messages.push(generateConversation(stored).question);
      composition.repeats++;
    } else {
      messages.push(roughen(render(rng.pick(UNRELATED), unrelatedSlots(rng), rng), rng));
      composition.unrelated++;
    }
  }
  const bodies = messages.map((message) =>
    Buffer.from(JSON.stringify({ message, session_id: rng.chance(0.33) ? rng.uuid() : null })),
  );
  return { bodies, composition, distinctMessages: new Set(messages).size };
}
