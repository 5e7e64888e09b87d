/** Documents the knowledge-base tests import, and questions about them. */

export const REGULATIONS_TITLE = 'Регламент уборки';

export const REGULATIONS = `# Регламент уборки подъездов

Регламент описывает работу бригад компании в многоквартирных домах.

## Мытьё окон

Окна на лестничных клетках моют дважды в год: в апреле и в сентябре.

## Уборка снега

Снег и наледь у входа в подъезд убирает дворник управляющей компании, а не бригада.

## Жалобы жителей

Жалобу на качество уборки принимает диспетчер по телефону 8 (4842) 55-12-34 с 8:00 до 20:00.
`;

/** Asks about the section on snow in other words. */
export const SNOW_QUESTION = 'Кто убирает снег у подъезда?';
export const SNOW_SECTION = 'Уборка снега';
export const SNOW_TEXT =
  'Снег и наледь у входа в подъезд убирает дворник управляющей компании, а не бригада.';

export const FAQ_TITLE = 'Частые вопросы жильцов';

export const FAQ = [
  {
    question: 'Можно ли оставить коляску на лестничной площадке?',
    answer: 'Да, если она не мешает проходу.',
  },
  {
    question: 'Кто меняет перегоревшие лампочки в подъезде?',
    answer: 'Лампочки меняет электрик управляющей компании; бригада сообщает о перегоревших в тот же день.',
  },
];

export const FAQ_LINES = FAQ.map((pair) => JSON.stringify(pair)).join('\n');

/** Asks the second FAQ question in other words. */
export const BULBS_QUESTION = 'кто меняет лампочки в подъезде, если перегорели?';

export const NOTICE_TITLE = 'Памятка бригадира';

export const NOTICE = `Бригадир проверяет каждый подъезд после уборки и фотографирует результат.

Фотографии отчёта бригадир отправляет в общий чат до 18:00.`;
