/**
 * Some reasoning models served through compatible APIs (DeepSeek-R1 or Qwen3 on Ollama, LM Studio)
 * put their thinking in the content itself, as a leading <think>…</think> block, instead of in
 * `reasoning_content`. The learner should hear only the answer, so that block is dropped as it
 * streams; text outside a leading block passes through untouched.
 */
const OPEN = '<think>';
const CLOSE = '</think>';

export class ThinkingFilter {
  private state: 'start' | 'thinking' | 'reply' = 'start';
  private pending = '';

  /** Feeds one streamed piece; returns the part of it that belongs to the reply. */
  push(piece: string): string {
    if (this.state === 'reply') return piece;
    this.pending += piece;
    if (this.state === 'start') {
      const trimmed = this.pending.trimStart();
      // Still could be the start of "<think>": wait for more.
      if (trimmed.length < OPEN.length && OPEN.startsWith(trimmed)) return '';
      if (!trimmed.startsWith(OPEN)) {
        this.state = 'reply';
        const out = this.pending;
        this.pending = '';
        return out;
      }
      this.state = 'thinking';
      this.pending = trimmed.slice(OPEN.length);
    }
    const end = this.pending.indexOf(CLOSE);
    if (end < 0) {
      // Keep only what could still be the start of the closing tag.
      this.pending = this.pending.slice(-(CLOSE.length - 1));
      return '';
    }
    const rest = this.pending.slice(end + CLOSE.length).trimStart();
    this.pending = '';
    this.state = 'reply';
    return rest;
  }

  /** The stream ended: anything held back that was not thinking. */
  flush(): string {
    const out = this.state === 'start' ? this.pending : '';
    this.pending = '';
    return out;
  }
}
