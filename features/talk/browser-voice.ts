/**
 * The browser's own voice (speechSynthesis), for when the companion cannot be reached. Sentences
 * are spoken one after another, so a reply ends when its last sentence has really been spoken.
 */
export class BrowserVoice {
  private queue: Array<{ seq: number; text: string }> = [];
  private speaking = false;
  private generation = 0;
  /** Sentences (by seq) begun aloud: what the learner heard if they interrupt. */
  readonly heard = new Set<number>();
  /** Sentences (by seq) spoken to their end, not cut off by cancel(). */
  readonly spoken = new Set<number>();

  constructor(
    private readonly rate: () => number,
    /** Called once the queue has run dry. */
    private readonly onIdle: () => void,
    /**
     * Every server in use is on this computer (features/settings/this-computer.ts): only a voice the system
     * speaks itself may be used, never one of the browser's network voices, which send the text to a server.
     */
    private readonly localOnly: () => boolean = () => false,
  ) {}

  get busy(): boolean {
    return this.speaking || this.queue.length > 0;
  }

  say(sentences: Array<{ seq: number; text: string }>): void {
    for (const sentence of sentences) {
      if (this.heard.has(sentence.seq) || this.queue.some((q) => q.seq === sentence.seq)) continue;
      this.queue.push(sentence);
    }
    if (!this.speaking) this.next(this.generation);
  }

  /** Silences it now; nothing queued is spoken later. */
  cancel(): void {
    this.generation++;
    this.queue = [];
    this.speaking = false;
    if (typeof speechSynthesis !== 'undefined') speechSynthesis.cancel();
  }

  private next(generation: number): void {
    if (generation !== this.generation) return;
    const sentence = this.queue.shift();
    if (!sentence) {
      this.speaking = false;
      this.onIdle();
      return;
    }
    this.speaking = true;
    this.heard.add(sentence.seq);
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      // cancel() moves the generation on first, so the 'error' it causes does not count as spoken.
      if (generation === this.generation) this.spoken.add(sentence.seq);
      this.next(generation);
    };
    // Some systems have no voices and never fire 'end': don't wait on them for ever.
    const timer = setTimeout(done, 2_000 + sentence.text.split(/\s+/).length * 450);
    if (typeof speechSynthesis === 'undefined') return;
    let voice: SpeechSynthesisVoice | undefined;
    if (this.localOnly()) {
      voice = speechSynthesis.getVoices().find((v) => v.localService && v.lang.toLowerCase().startsWith('en'));
      // No voice on this computer: the reply stays on screen, unspoken, rather than leave the computer.
      if (!voice) {
        done();
        return;
      }
    }
    const utterance = new SpeechSynthesisUtterance(sentence.text);
    utterance.lang = 'en-US';
    if (voice) utterance.voice = voice;
    utterance.rate = this.rate();
    utterance.onend = done;
    utterance.onerror = done;
    speechSynthesis.speak(utterance);
  }
}
