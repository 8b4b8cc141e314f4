import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ApiError, errorMessage } from '../errors.ts';
import type { OpenAIVoice } from '../openai-voices.ts';
import { SentenceQueue } from './sentence-queue.ts';
import {
  single,
  type EngineState,
  type SynthesizedAudio,
  type SynthesisOptions,
  type TtsEngine,
  type Voice,
} from './types.ts';

const WORKER_URL = new URL('./espeak-worker.js', import.meta.url);

/** eSpeak NG's normal rate in words per minute, and the range it accepts. */
const BASE_RATE = 175;
const MIN_RATE = 80;
const MAX_RATE = 450;

/** A few of eSpeak's voice variants, for learners who want a voice other than the default male one. */
const VARIANTS: Record<string, string> = { f2: 'female 2', f3: 'female 3', f4: 'female 4', m3: 'male 3' };
const VARIANT_BASES = ['en-us', 'en-gb'];

export const DEFAULT_ESPEAK_VOICE = 'en-us';

/** OpenAI's voices by their character: the female ones to eSpeak's female variants, fable to British English. */
export const ESPEAK_FOR_OPENAI: Record<OpenAIVoice, string> = {
  alloy: 'en-us',
  ash: 'en-us+m3',
  ballad: 'en-gb+m3',
  coral: 'en-us+f3',
  echo: 'en-us+m3',
  fable: 'en-gb',
  nova: 'en-us+f2',
  onyx: 'en-us',
  sage: 'en-gb+f3',
  shimmer: 'en-us+f4',
  verse: 'en-gb+m3',
};

export function speedToRate(speed: number): number {
  return Math.min(MAX_RATE, Math.max(MIN_RATE, Math.round(BASE_RATE * speed)));
}

type WorkerMessage =
  | { type: 'ready'; sampleRate: number; voices: { name: string; identifier: string; languages: string[] }[] }
  | { type: 'audio'; id: number; pcm: ArrayBuffer }
  | { type: 'error'; id: number; message: string };

interface Pending {
  resolve: (pcm: Buffer) => void;
  reject: (error: unknown) => void;
}

/** One WebAssembly instance of eSpeak NG in its own thread; it does one sentence at a time. */
class EspeakThread {
  readonly worker: Worker;
  readonly ready: Promise<Extract<WorkerMessage, { type: 'ready' }>>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  busy = false;
  dead = false;

  constructor(onDeath: (thread: EspeakThread, reason: string) => void) {
    this.worker = new Worker(WORKER_URL);
    let markReady: (message: Extract<WorkerMessage, { type: 'ready' }>) => void = () => {};
    let failReady: (error: Error) => void = () => {};
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    // Only the first thread's readiness is awaited; a later thread dying before it was ready is handled by onDeath.
    this.ready.catch(() => {});
    this.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') return markReady(message);
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.type === 'audio') pending.resolve(Buffer.from(message.pcm));
      else pending.reject(new ApiError(500, 'engine_error', `eSpeak NG failed: ${message.message}`));
    });
    const die = (reason: string): void => {
      if (this.dead) return;
      this.dead = true;
      failReady(new Error(reason));
      for (const pending of this.pending.values()) pending.reject(new ApiError(500, 'engine_error', reason));
      this.pending.clear();
      onDeath(this, reason);
    };
    this.worker.on('error', (error) => die(`the eSpeak NG thread failed: ${error.message}`));
    this.worker.on('exit', (code) => die(`the eSpeak NG thread exited (code ${code})`));
  }

  synthesize(text: string, voice: string, rate: number): Promise<Buffer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, text, voice, rate });
    });
  }
}

export interface EspeakEngineOptions {
  maxQueue: number;
  timeoutMs: number;
  /** Threads synthesising at once; each holds its own copy of the voice data (~25 MB). */
  threads?: number;
}

/**
 * The embedded default: eSpeak NG compiled to WebAssembly (@echogarden/espeak-ng-emscripten), so it works
 * after `npm install` with no Python and no system package. English voices only, since the learner is
 * practising English.
 */
export class EspeakEngine implements TtsEngine {
  readonly name = 'espeak' as const;
  readonly model = 'espeak-ng';
  readonly device = 'n/a' as const;
  /** eSpeak NG loads in well under a second, so it is only "started" once it can speak. */
  readonly started: Promise<void>;
  readonly ready: Promise<void>;
  private readonly queueOfJobs: SentenceQueue;
  private readonly threads: EspeakThread[] = [];
  private readonly threadCount: number;
  private voiceList: Voice[] = [];
  private espeakNames = new Map<string, string>();
  private sampleRate = 22050;
  private state: EngineState = { state: 'loading', message: 'starting eSpeak NG', retryAfterSeconds: 1 };
  private closed = false;

  constructor(private readonly options: EspeakEngineOptions) {
    this.threadCount = options.threads ?? Math.max(1, Math.min(2, os.availableParallelism()));
    this.queueOfJobs = new SentenceQueue(this.threadCount, options.maxQueue);
    for (let i = 0; i < this.threadCount; i++) this.threads.push(this.spawn());
    // Ready once every thread has loaded and spoken its warm-up sentence: a request sent to a thread still
    // starting would wait for it, and that wait is the cold first turn this avoids.
    this.ready = Promise.all(this.threads.map((thread) => thread.ready)).then(
      ([message]) => {
        if (!message) throw new Error('eSpeak NG started no thread');
        this.sampleRate = message.sampleRate;
        const { list, espeakNames } = englishVoices(message.voices);
        this.voiceList = list;
        this.espeakNames = espeakNames;
        this.state = { state: 'ready' };
      },
      (error: unknown) => {
        this.state = { state: 'error', message: errorMessage(error) };
        throw error;
      },
    );
    // Callers that never await `ready` must not see an unhandled rejection; status() carries the reason.
    this.ready.catch(() => {});
    this.started = this.ready;
  }

  status(): EngineState {
    return this.state;
  }

  voices(): Voice[] {
    return this.voiceList;
  }

  defaultVoice(): string {
    return DEFAULT_ESPEAK_VOICE;
  }

  acceptsVoice(voice: string): boolean {
    return this.espeakNames.has(voice);
  }

  voiceForOpenAI(voice: OpenAIVoice): string {
    const mapped = ESPEAK_FOR_OPENAI[voice];
    return this.espeakNames.has(mapped) ? mapped : DEFAULT_ESPEAK_VOICE;
  }

  queue(): ReturnType<SentenceQueue['stats']> {
    return this.queueOfJobs.stats();
  }

  async synthesize(
    text: string,
    voice: string,
    options: SynthesisOptions,
    signal: AbortSignal,
  ): Promise<SynthesizedAudio> {
    const pcm = await this.queueOfJobs.speak(
      async () => {
        const thread = this.threads.find((candidate) => !candidate.busy && !candidate.dead);
        if (!thread) throw new ApiError(500, 'engine_error', 'no eSpeak NG thread is available');
        thread.busy = true;
        let timedOut = false;
        const timer = setTimeout(() => {
          // A runaway synthesis cannot be interrupted inside WebAssembly; ending the thread is the only way.
          timedOut = true;
          void thread.worker.terminate();
        }, this.options.timeoutMs);
        try {
          await thread.ready;
          const espeakName = this.espeakNames.get(voice);
          if (espeakName === undefined) throw new ApiError(400, 'invalid_request_error', `Unknown voice "${voice}".`);
          return await thread.synthesize(text, espeakName, speedToRate(options.speed));
        } catch (error) {
          if (timedOut) {
            throw new ApiError(504, 'timeout', `eSpeak NG took longer than ${this.options.timeoutMs / 1000} s`);
          }
          throw error;
        } finally {
          clearTimeout(timer);
          thread.busy = false;
        }
      },
      options,
      signal,
    );
    return { sampleRate: this.sampleRate, chunks: single(pcm) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queueOfJobs.shutDown();
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
  }

  private spawn(): EspeakThread {
    return new EspeakThread((thread, reason) => {
      const index = this.threads.indexOf(thread);
      if (this.closed || index < 0) return;
      console.warn(`[espeak] ${reason}; starting a new thread`);
      this.threads[index] = this.spawn();
    });
  }
}

/** Our voice ids are language tags (en-gb, en-us+f3); eSpeak NG finds voices reliably only by their names. */
function englishVoices(voices: { name: string; languages: string[] }[]): {
  list: Voice[];
  espeakNames: Map<string, string>;
} {
  const list: Voice[] = [];
  const espeakNames = new Map<string, string>();
  for (const voice of voices) {
    const language = voice.languages[0];
    if (!language || !/^en(-|$)/.test(language) || espeakNames.has(language)) continue;
    list.push({ id: language, name: voice.name, language });
    espeakNames.set(language, voice.name);
  }
  list.sort((a, b) =>
    a.id === DEFAULT_ESPEAK_VOICE ? -1 : b.id === DEFAULT_ESPEAK_VOICE ? 1 : a.id.localeCompare(b.id),
  );
  for (const base of VARIANT_BASES) {
    const parent = list.find((voice) => voice.id === base);
    if (!parent) continue;
    for (const [variant, label] of Object.entries(VARIANTS)) {
      const id = `${base}+${variant}`;
      list.push({ id, name: `${parent.name}, ${label}`, language: base });
      espeakNames.set(id, `${parent.name}+${variant}`);
    }
  }
  return { list, espeakNames };
}
