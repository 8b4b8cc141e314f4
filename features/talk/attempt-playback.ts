import type { ReadonlySignal } from '@preact/signals';
import type { WordJudgement } from '@/core/pronunciation';
import type { PracticeResult } from './practice-attempts';

/**
 * A word of the learner's own attempt, played back in the side panel: the judge's time span of the word with a
 * little either side, since its boundaries fall inside the sounds next to it.
 */

export const WORD_MARGIN_S = 0.05;

/** Where a word is in its recording, in seconds; undefined when it was not found there (missed, unknown). */
export function spanOfWord(word: WordJudgement): { from: number; to: number } | undefined {
  if (word.end <= word.start) return undefined;
  return { from: Math.max(0, word.start - WORD_MARGIN_S), to: word.end + WORD_MARGIN_S };
}

/** Plays seconds `from` to `to` of a recording; resolves when it has been heard. */
export async function playAudioSpan(blob: Blob, from: number, to: number): Promise<void> {
  const context = new AudioContext();
  try {
    const audio = await context.decodeAudioData(await blob.arrayBuffer());
    const source = context.createBufferSource();
    source.buffer = audio;
    source.connect(context.destination);
    const start = Math.min(from, audio.duration);
    await new Promise<void>((resolve) => {
      source.onended = () => resolve();
      source.start(0, start, Math.max(0, Math.min(to, audio.duration) - start));
    });
  } finally {
    await context.close();
  }
}

export interface AttemptWordsDeps {
  attempts: ReadonlySignal<Record<string, PracticeResult>>;
  /** The audio of the latest attempt at a target, if it is still kept. */
  audioOf(targetId: string): Blob | undefined;
  /** Says a text in the teacher's voice (a read-out). */
  say(text: string): void;
  play?: typeof playAudioSpan;
}

/**
 * A word of the latest attempt at a practice target: the learner's own recording of it, then the teacher's voice
 * saying it. Does nothing for an attempt that was not judged; a word not found in the recording is only said.
 */
export function createAttemptWords({ attempts, audioOf, say, play = playAudioSpan }: AttemptWordsDeps) {
  return async function playAttemptWord(targetId: string, wordIndex: number): Promise<void> {
    const judgement = attempts.value[targetId]?.pronunciation;
    const word = judgement?.kind === 'judged' ? judgement.words[wordIndex] : undefined;
    if (!word) return;
    const blob = audioOf(targetId);
    const span = spanOfWord(word);
    if (blob && span) await play(blob, span.from, span.to);
    say(word.text);
  };
}
