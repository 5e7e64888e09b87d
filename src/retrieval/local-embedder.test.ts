import { describe, expect, it } from 'vitest';
import { Lexicon } from './lexicon.js';
import { LocalEmbedder } from './local-embedder.js';
import { decodeSparseVector, encodeSparseVector, type SparseVector } from './sparse-vector.js';

const embedder = new LocalEmbedder();

function cosine(left: SparseVector, right: SparseVector): number {
  const rightWeights = new Map<number, number>();
  right.indices.forEach((feature, position) => {
    rightWeights.set(feature, right.values[position] as number);
  });
  let dot = 0;
  left.indices.forEach((feature, position) => {
    dot += (left.values[position] as number) * (rightWeights.get(feature) ?? 0);
  });
  return dot;
}

const similarity = (left: string, right: string) => cosine(embedder.embedOne(left), embedder.embedOne(right));

describe('LocalEmbedder', () => {
  it('ignores word order, punctuation, case and ё', () => {
    expect(similarity('Когда уборка подъезда?', 'подъезда уборка — когда')).toBeCloseTo(1, 5);
    expect(similarity('Ещё вопрос про ЁЛКУ', 'еще вопрос про елку')).toBeCloseTo(1, 5);
  });

  it('matches word forms through stems', () => {
    expect(similarity('уборка подъездов', 'уборку подъезда')).toBeGreaterThan(0.95);
  });

  it('keeps most of the similarity through typos', () => {
    const typo = similarity('расписание уборки подъездов', 'расписанье убоки подьездов');
    expect(typo).toBeGreaterThan(0.4);
    expect(typo).toBeGreaterThan(similarity('расписание уборки подъездов', 'стоимость мытья окон'));
  });

  it('matches synonyms and colloquial words through the lexicon', () => {
    const headcount = 'Сколько сотрудников работает в ВасДом?';
    expect(similarity(headcount, 'Какова численность персонала вашей компании?')).toBeGreaterThan(0.5);
    expect(similarity(headcount, 'а сколько у вас народу работает?')).toBeGreaterThan(0.5);
    expect(similarity('Сколько стоит генеральная уборка?', 'генералка почём?')).toBeGreaterThan(0.5);
    // The lexicon tells a price from a duration although both start with "сколько".
    expect(
      similarity('Сколько стоит генеральная уборка?', 'Сколько длится генеральная уборка?'),
    ).toBeLessThan(similarity('Сколько стоит генеральная уборка?', 'Какова цена генеральной уборки?'));
  });

  it('ignores greetings and fillers', () => {
    expect(similarity('Сколько бригад?', 'Здравствуйте, слушайте, а сколько вообще бригад?')).toBeGreaterThan(
      0.95,
    );
  });

  it('takes a misspelt lexicon word for the word it stands for', () => {
    expect(similarity('сколько сотрудников', 'скока сотрудникв')).toBeGreaterThan(0.6);
  });

  it('names its lexicon in its id, so that vectors of another lexicon are rebuilt', () => {
    expect(embedder.id).toMatch(/^local-ru-v2-[0-9a-f]{8}$/);
    expect(new LocalEmbedder(new Lexicon('count: сколько')).id).not.toBe(embedder.id);
  });

  it('gives unrelated questions a low score', () => {
    expect(similarity('Сколько стоит мытьё окон?', 'Какая бригада в Северном районе?')).toBeLessThan(0.2);
  });

  it('returns unit-length vectors with sorted unique features that survive encoding', () => {
    const vector = embedder.embedOne('Дом 12а на улице Ленина: когда генеральная уборка?');
    const length = Math.sqrt(vector.values.reduce((sum, value) => sum + value * value, 0));
    expect(length).toBeCloseTo(1, 5);
    for (let i = 1; i < vector.indices.length; i++) {
      expect(vector.indices[i] as number).toBeGreaterThan(vector.indices[i - 1] as number);
    }
    expect(decodeSparseVector(encodeSparseVector(vector))).toEqual(vector);
  });

  it('embeds an empty or punctuation-only text as an empty vector', () => {
    expect(embedder.embedOne('?!… ').indices.length).toBe(0);
  });
});
