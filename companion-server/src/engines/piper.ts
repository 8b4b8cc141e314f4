import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OpenAIVoice } from '../openai-voices.ts';
import { NeuralEngine, type LoadedModel, type NeuralEngineOptions } from './neural-engine.ts';
import { OnnxSession, floatToPcm16 } from './onnx-session.ts';
import type { Accent, Gender, Voice } from './types.ts';

export interface PiperEngineOptions extends NeuralEngineOptions {
  /** A Piper voice: `NAME.onnx`, with `NAME.onnx.json` beside it (or at `configPath`). */
  modelPath: string;
  configPath?: string;
}

export interface PiperConfig {
  sampleRate: number;
  /** The eSpeak NG voice Piper phonemizes with, e.g. en-us. */
  espeakVoice: string;
  /** e.g. en_US */
  languageCode: string;
  dataset: string;
  quality: string;
  idMap: Map<string, number[]>;
  noiseScale: number;
  lengthScale: number;
  noiseW: number;
}

/** Where learners find Piper voices, for messages about a broken one. */
const PIPER_VOICES_URL = 'https://huggingface.co/rhasspy/piper-voices';

/** OpenAI's speeds Piper is asked for: outside 0.5–2× its voices slur or drag. */
export const PIPER_SPEED = { min: 0.5, max: 2 } as const;

/**
 * Piper's length_scale multiplies each phoneme's predicted duration, which Piper then rounds up to whole frames;
 * the rounding and the pauses it does not stretch keep the audio from growing as much as the scale (measured
 * with en_US-joe-medium on three sentences: 1/0.7 made it 1.23–1.33× longer, 1/0.7^1.5 1.51–1.56×). The power
 * 1.25 brings the length of the audio close to 1/speed, so "Listen slowly" (0.7) is reliably slower.
 */
const SPEED_POWER = 1.25;

export function lengthScaleFor(base: number, speed: number): number {
  return base / Math.min(PIPER_SPEED.max, Math.max(PIPER_SPEED.min, speed)) ** SPEED_POWER;
}

/** The speakers of the English Piper voices (rhasspy/piper-voices v1.0.0), by dataset; multi-speaker sets omitted. */
const PIPER_GENDERS: Record<string, Gender> = {
  amy: 'female',
  bryce: 'male',
  danny: 'male',
  hfc_female: 'female',
  hfc_male: 'male',
  joe: 'male',
  john: 'male',
  kathleen: 'female',
  kristin: 'female',
  kusal: 'male',
  lessac: 'female',
  ljspeech: 'female',
  norman: 'male',
  reza_ibrahim: 'male',
  ryan: 'male',
  alan: 'male',
  alba: 'female',
  cori: 'female',
  jenny_dioco: 'female',
  northern_english_male: 'male',
  southern_english_female: 'female',
};

function fail(file: string, problem: string, todo: string): Error {
  return new Error(`${file} ${problem}: ${todo}`);
}

/** Reads a Piper voice's .onnx.json; throws naming the file, what is wrong with it and what to do. */
export function parsePiperConfig(text: string, configPath: string): PiperConfig {
  const todo = `download the voice's .onnx.json again from ${PIPER_VOICES_URL} and put it beside the .onnx`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw fail(configPath, `is not valid JSON (${(error as Error).message})`, todo);
  }
  const config = json as {
    audio?: { sample_rate?: unknown; quality?: unknown };
    espeak?: { voice?: unknown };
    language?: { code?: unknown };
    dataset?: unknown;
    phoneme_type?: unknown;
    phoneme_id_map?: unknown;
    inference?: { noise_scale?: unknown; length_scale?: unknown; noise_w?: unknown };
  };
  const map = config.phoneme_id_map;
  if (!map || typeof map !== 'object') throw fail(configPath, 'is not a Piper voice config (no phoneme_id_map)', todo);
  if (config.phoneme_type !== undefined && config.phoneme_type !== 'espeak') {
    throw fail(configPath, `uses ${String(config.phoneme_type)} phonemes; the companion speaks eSpeak ones`, todo);
  }
  const idMap = new Map<string, number[]>();
  for (const [phoneme, ids] of Object.entries(map as Record<string, unknown>)) {
    if (Array.isArray(ids) && ids.every((id) => Number.isInteger(id))) idMap.set(phoneme, ids as number[]);
  }
  for (const symbol of ['^', '_', '$']) {
    if (!idMap.has(symbol)) throw fail(configPath, `has no id for "${symbol}" in its phoneme_id_map`, todo);
  }
  const sampleRate = config.audio?.sample_rate;
  if (typeof sampleRate !== 'number' || sampleRate < 8000) {
    throw fail(configPath, 'has no audio.sample_rate', todo);
  }
  const number = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
  const languageCode = typeof config.language?.code === 'string' ? config.language.code : 'en_US';
  return {
    sampleRate,
    espeakVoice: typeof config.espeak?.voice === 'string' ? config.espeak.voice : 'en-us',
    languageCode,
    dataset: typeof config.dataset === 'string' ? config.dataset : '',
    quality: typeof config.audio?.quality === 'string' ? config.audio.quality : '',
    idMap,
    noiseScale: number(config.inference?.noise_scale, 0.667),
    lengthScale: number(config.inference?.length_scale, 1),
    noiseW: number(config.inference?.noise_w, 0.8),
  };
}

/**
 * Piper's phoneme ids for one sentence: "^" and "_", then each phoneme (a code point of the NFD-decomposed IPA)
 * followed by "_", then "$" — what piper-phonemize gave the model in training. Phonemes the voice does not
 * know are left out, as Piper does.
 */
export function piperIds(phonemes: string, idMap: Map<string, number[]>): number[] {
  const pad = idMap.get('_')!;
  const ids = [...idMap.get('^')!, ...pad];
  for (const phoneme of phonemes.normalize('NFD')) {
    const mapped = idMap.get(phoneme);
    if (!mapped) continue;
    ids.push(...mapped, ...pad);
  }
  ids.push(...idMap.get('$')!);
  return ids;
}

/** The credit and licence from a Piper voice's MODEL_CARD (e.g. "Dataset … License: CC0"). */
export function piperAttribution(id: string, modelCard: string | null): string {
  const dataset = modelCard ? /##\s*Dataset[\s\S]*?URL:\s*(\S+)/i.exec(modelCard)?.[1] : undefined;
  const license = modelCard ? /License:\s*(.+)/i.exec(modelCard)?.[1]?.trim() : undefined;
  const parts = [`Piper voice ${id} (rhasspy/piper-voices)`];
  if (dataset) parts.push(`dataset ${dataset}`);
  if (license) parts.push(`licence ${license}`);
  return parts.join(', ');
}

export function piperVoice(id: string, config: PiperConfig, modelCard: string | null): Voice {
  const region = config.languageCode.split('_')[1]?.toUpperCase();
  const accent: Accent =
    config.languageCode.startsWith('en_') && region === 'US'
      ? 'American'
      : config.languageCode.startsWith('en_') && region === 'GB'
        ? 'British'
        : 'other';
  const dataset = config.dataset || id.split('-')[1] || id;
  const title = dataset.replace(/_/g, ' ').replace(/\b\w/g, (letter) => letter.toUpperCase());
  const gender =
    PIPER_GENDERS[dataset] ?? (/female/.test(dataset) ? 'female' : /male/.test(dataset) ? 'male' : undefined);
  return {
    id,
    name: config.quality ? `${title} (${config.quality})` : title,
    language: config.languageCode.toLowerCase().replace('_', '-'),
    engine: 'piper',
    accent,
    ...(gender ? { gender } : {}),
    attribution: piperAttribution(id, modelCard),
  };
}

/** A Piper voice's MODEL_CARD: `NAME.MODEL_CARD` beside the model (the voice store's name), else `MODEL_CARD`. */
export function piperModelCardPath(modelPath: string): string | null {
  const dir = path.dirname(modelPath);
  const named = path.join(dir, `${path.basename(modelPath, '.onnx')}.MODEL_CARD`);
  if (existsSync(named)) return named;
  const plain = path.join(dir, 'MODEL_CARD');
  return existsSync(plain) ? plain : null;
}

/** Said at load so that the learner's first sentence finds the model's memory and kernels ready. */
const WARM_UP = ['Hello, and welcome back! How was your weekend with your family and friends?', 'Great question!'];

/**
 * Piper (https://github.com/rhasspy/piper) voices: VITS models exported to ONNX, 22.05 kHz, fast enough on a
 * laptop's CPU to be the companion's default natural voice. One voice per file.
 */
export class PiperEngine extends NeuralEngine {
  readonly name = 'piper' as const;
  readonly model: string;
  private readonly modelPath: string;
  private readonly configPath: string;
  private config: PiperConfig | null = null;
  private voice: Voice | null = null;

  constructor(options: PiperEngineOptions) {
    const voiceId = path.basename(options.modelPath).replace(/\.onnx$/i, '');
    super(options, `The Piper voice ${voiceId}`);
    this.model = voiceId;
    this.modelPath = options.modelPath;
    this.configPath = options.configPath ?? `${options.modelPath}.json`;
  }

  defaultVoice(): string {
    return this.model;
  }

  /** A Piper file holds one voice, so every OpenAI name is spoken by it. */
  voiceForOpenAI(voice: OpenAIVoice): string {
    void voice;
    return this.model;
  }

  protected sampleRate(): number {
    return this.config?.sampleRate ?? 22050;
  }

  protected async checkFiles(): Promise<void> {
    if (!existsSync(this.modelPath)) {
      throw fail(this.modelPath, 'does not exist', `give the path of a Piper voice's .onnx (${PIPER_VOICES_URL})`);
    }
    if (!existsSync(this.configPath)) {
      throw fail(
        this.configPath,
        'is missing',
        `a Piper voice needs its .onnx.json beside the .onnx; download it from ${PIPER_VOICES_URL}`,
      );
    }
    this.config = parsePiperConfig(await readFile(this.configPath, 'utf8'), this.configPath);
    const cardPath = piperModelCardPath(this.modelPath);
    const card = cardPath ? await readFile(cardPath, 'utf8') : null;
    this.voice = piperVoice(this.model, this.config, card);
  }

  protected async loadModel(): Promise<LoadedModel> {
    const session = await this.open();
    return { session, voices: [this.voice!] };
  }

  private async open(): Promise<OnnxSession> {
    let session: OnnxSession;
    try {
      session = await OnnxSession.open(this.modelPath, this.options.threads);
    } catch (error) {
      throw fail(
        this.modelPath,
        `could not be loaded as an ONNX model (${(error as Error).message.split('\n')[0]})`,
        `the file is damaged or not a Piper voice; download it again from ${PIPER_VOICES_URL}`,
      );
    }
    const names = session.inputs.map((input) => input.name);
    if (!['input', 'input_lengths', 'scales'].every((name) => names.includes(name))) {
      await session.close();
      throw fail(
        this.modelPath,
        `is an ONNX model but not a Piper voice (its inputs are ${names.join(', ')})`,
        `give the path of a Piper voice's .onnx (${PIPER_VOICES_URL})`,
      );
    }
    try {
      const controller = new AbortController();
      for (const text of WARM_UP) await this.runSentences(session, text, 1, controller.signal);
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  protected render(text: string, _voice: string, speed: number, signal: AbortSignal): Promise<Buffer[]> {
    return this.runSentences(null, text, speed, signal);
  }

  private async runSentences(
    session: OnnxSession | null,
    text: string,
    speed: number,
    signal: AbortSignal,
  ): Promise<Buffer[]> {
    const config = this.config!;
    const sentences = await this.phonemizer.piper(text, config.espeakVoice);
    const chunks: Buffer[] = [];
    for (const phonemes of sentences) {
      const ids = piperIds(phonemes, config.idMap);
      const feeds = {
        input: { type: 'int64' as const, data: BigInt64Array.from(ids, BigInt), dims: [1, ids.length] },
        input_lengths: { type: 'int64' as const, data: BigInt64Array.from([BigInt(ids.length)]), dims: [1] },
        scales: {
          type: 'float32' as const,
          data: Float32Array.from([config.noiseScale, lengthScaleFor(config.lengthScale, speed), config.noiseW]),
          dims: [3],
        },
      };
      const outputs = session ? await session.run(feeds) : await this.infer(feeds, signal);
      const audio = outputs.output ?? Object.values(outputs)[0];
      if (!audio) throw new Error(`${this.modelPath} returned no audio`);
      chunks.push(floatToPcm16(audio.data));
      if (signal.aborted) break;
    }
    return chunks;
  }
}
