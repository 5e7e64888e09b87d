import { describe, expect, it } from 'vitest';
import { BUILT_IN_LEXICON_PATH, editDistance, Lexicon } from './lexicon.js';
import { stem, tokenize } from './russian-text.js';

const stemsOf = (text: string) => tokenize(text).map(stem);
const names = (lexicon: Lexicon, text: string, start = 0) =>
  lexicon.match(stemsOf(text), start)?.groups.map((group) => group.name);

describe('Lexicon', () => {
  const lexicon = new Lexicon(
    [
      '# a comment',
      'count: сколько, количество',
      'price: сколько стоит, цена',
      'staff: сотрудник, персонал, народ',
      'entrance * 0.5: подъезд, лестничная клетка',
      'ignore: здравствуйте, добрый день',
    ].join('\n'),
  );

  it('finds a group by any form of its words', () => {
    expect(names(lexicon, 'сотрудников')).toEqual(['staff']);
    expect(names(lexicon, 'сотрудникам')).toEqual(['staff']);
    expect(names(lexicon, 'народу')).toEqual(['staff']);
  });

  it('prefers the longest phrase and matches a phrase only in order', () => {
    expect(lexicon.match(stemsOf('сколько стоит уборка'), 0)).toEqual({
      length: 2,
      groups: [{ name: 'price', weight: 1 }],
    });
    expect(names(lexicon, 'сколько уборка стоит')).toEqual(['count']);
    expect(lexicon.match(stemsOf('на лестничной клетке'), 1)?.length).toBe(2);
  });

  it('reads group weights, and gives ignored words no group', () => {
    expect(lexicon.match(stemsOf('подъезды'), 0)?.groups).toEqual([{ name: 'entrance', weight: 0.5 }]);
    expect(lexicon.match(stemsOf('добрый день'), 0)).toEqual({ length: 2, groups: [] });
  });

  it('takes a misspelt word for the closest single word within its typo allowance', () => {
    expect(lexicon.closestWord(stem('сотрудникв'))?.map((group) => group.name)).toEqual(['staff']);
    expect(lexicon.closestWord(stem('персанал'))?.map((group) => group.name)).toEqual(['staff']);
    // Short stems must match exactly: "нард" is not "народ".
    expect(lexicon.closestWord('нар')).toBeUndefined();
    expect(lexicon.closestWord(stem('бухгалтерия'))).toBeUndefined();
  });

  it('names the line of a malformed group and rejects weights out of range', () => {
    expect(() => new Lexicon('count сколько')).toThrow(/lexicon line 1/);
    expect(() => new Lexicon('\nCount: сколько')).toThrow(/lexicon line 2/);
    expect(() => new Lexicon('count * 2: сколько')).toThrow(/weight/);
    expect(() => new Lexicon('count * 0: сколько')).toThrow(/weight/);
  });

  it('has a fingerprint that changes with the content', () => {
    expect(new Lexicon('count: сколько').fingerprint).toBe(new Lexicon('count: сколько').fingerprint);
    expect(new Lexicon('count: сколько').fingerprint).not.toBe(new Lexicon('count: число').fingerprint);
  });

  it('loads the built-in lexicon', () => {
    const builtIn = Lexicon.fromFile(BUILT_IN_LEXICON_PATH);
    expect(names(builtIn, 'численность персонала')).toEqual(['count']);
    expect(names(builtIn, 'персонала')).toEqual(['staff']);
    expect(names(builtIn, 'почём')).toEqual(['price']);
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('уборка', 'уборка', 2)).toBe(0);
    expect(editDistance('уборка', 'убока', 2)).toBe(1);
    expect(editDistance('уборка', 'уброка', 2)).toBe(1);
    expect(editDistance('уборка', 'уборкаа', 2)).toBe(1);
    expect(editDistance('район', 'раен', 2)).toBe(2);
  });

  it('gives up above its limit', () => {
    expect(editDistance('сотрудник', 'директор', 1)).toBe(2);
    expect(editDistance('а', 'абвгд', 2)).toBe(3);
  });
});
