import snowball from 'snowball-stemmers';

/**
 * Function words that say nothing about what is asked. Question words (сколько, когда, где, кто…) stay:
 * they tell "сколько бригад" from "где бригады".
 */
const STOP_WORDS = new Set(
  `а б бы в во вам вас ведь все всё вот вы да для до его ее её ей ему если есть же за и из или им их к
  ко ли либо мне мной мы на над надо нам нас не него нее неё ней ни них но ну о об обо он она они оно от
  по под при про с со та так также там те тем то тоже той тот ту у уж уже хотя чем через что чтобы чтоб
  эта эти это этот я пожалуйста подскажите скажите скажи подскажи расскажите расскажи хочу хотел хотела
  хотелось бы можно ли the a an of to is are`
    .split(/\s+/)
    .filter((word) => word !== ''),
);

const russianStemmer = snowball.newStemmer('russian');
const englishStemmer = snowball.newStemmer('english');

/** Lower case, ё as е, everything but letters and digits as spaces; digits split from letters. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replaceAll('ё', 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/(\p{N})(\p{L})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2')
    .trim();
}

export function tokenize(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === '' ? [] : normalized.split(' ');
}

export function isStopWord(token: string): boolean {
  return STOP_WORDS.has(token);
}

export function stem(token: string): string {
  if (/^\p{N}+$/u.test(token) || token.length <= 2) return token;
  return /[а-я]/.test(token) ? russianStemmer.stem(token) : englishStemmer.stem(token);
}

/** Content words of a text, stemmed: the form shared by "уборка", "уборки" and "уборку". */
export function contentStems(text: string): string[] {
  return tokenize(text)
    .filter((token) => !isStopWord(token))
    .map(stem);
}
