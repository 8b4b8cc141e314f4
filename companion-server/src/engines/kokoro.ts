import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { OpenAIVoice } from '../openai-voices.ts';
import { NeuralEngine, type LoadedModel, type NeuralEngineOptions } from './neural-engine.ts';
import { OnnxSession, floatToPcm16 } from './onnx-session.ts';
import type { Voice } from './types.ts';
import {
  KOKORO_MAX_TOKENS,
  fixKokoroPhonemes,
  kokoroSections,
  kokoroTokens,
  normalizeKokoroText,
  splitKokoroPhonemes,
} from './kokoro-text.ts';

export interface KokoroEngineOptions extends NeuralEngineOptions {
  /** kokoro-v1.0.int8.onnx (or another export of Kokoro-82M v1.0 with the same inputs). */
  modelPath: string;
  /** A folder of voices as `<name>.bin` (float32 [510, 256] style vectors). */
  voicesDir: string;
}

export const KOKORO_SAMPLE_RATE = 24_000;
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
