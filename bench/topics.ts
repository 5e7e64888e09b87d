/**
 * Question and answer templates (syntax in template.ts), grouped by topic and, within a topic, by intent:
 * the questions of one intent ask the same thing, so any of its answers fits any of them. Slots come
 * from dataset.ts: address, entrance, floor, floors, apartment, district, where, brigade, brigadier,
 * client, days, on_weekday, time, date, month, problem, equipment, service, access, job, staff,
 * price_m2, price_month, area, houses.
 */
export interface Intent {
  questions: readonly string[];
  answers: readonly string[];
}

export interface Topic {
  name: string;
  /** Relative share of the stored conversations. */
  weight: number;
  intents: readonly Intent[];
}

export const intent = (questions: string[], answers: string[]): Intent => ({ questions, answers });
