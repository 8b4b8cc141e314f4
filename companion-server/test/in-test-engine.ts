import { single, type SynthesizedAudio, type TtsEngine, type Voice } from '../src/engines/types.ts';

/**
 * A stand-in for a neural engine where what a test checks is the routing, not the sound (the real engine,
 * companion-server/src/engines/piper.ts, is tested with the real voice in piper.test.ts): it "loads" when the test
 * says so and answers with 16 kHz PCM, a rate eSpeak never uses, so each answer shows which engine spoke.
 */
export class InTestEngine implements TtsEngine {
  readonly name = 'piper' as const;
  readonly model = 'test-voice';
  readonly device = 'cpu' as const;
  readonly started = Promise.resolve();
  readonly ready: Promise<void>;
  closed = false;
  spoken: string[] = [];
  private settle!: { resolve: () => void; reject: (error: Error) => void };
  private readonly list: Voice[];

  /** The first voice is American and female, the second British and male. */
  constructor(ids: [string, string]) {
    this.list = [
      { id: ids[0], name: 'First', language: 'en-us', engine: 'piper', accent: 'American', gender: 'female' },
      { id: ids[1], name: 'Second', language: 'en-gb', engine: 'piper', accent: 'British', gender: 'male' },
    ];
    this.ready = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.ready.catch(() => {});
  }

  load(): void {
    this.settle.resolve();
  }

  fail(message: string): void {
    this.settle.reject(new Error(message));
  }

  status() {
    return { state: 'ready' as const };
  }
  voices(): Voice[] {
    return this.list;
  }
  defaultVoice(): string {
    return this.list[0]!.id;
  }
  acceptsVoice(voice: string): boolean {
    return this.list.some((known) => known.id === voice);
  }
  voiceForOpenAI(): string {
    return this.list[1]!.id;
  }
  queue() {
    return { active: 0, waiting: 0, max: 4 };
  }
  async synthesize(text: string, voice: string): Promise<SynthesizedAudio> {
    this.spoken.push(`${voice}: ${text}`);
    return { sampleRate: 16000, chunks: single(Buffer.alloc(3200)) };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
