import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('./phonemes-worker.js', import.meta.url);

/**
 * The eSpeak NG voice (a language tag) whose IPA a neural engine speaks from: en-us and en-gb for Kokoro, a Piper
 * voice's `espeak.voice` (en-us, en-gb-x-rp, …).
 */
export type PhonemeVoice = 'en-us' | 'en-gb' | (string & {});

/** A stretch of text up to eSpeak's next clause break, and the punctuation that ended it ('' at the very end). */
export interface TextClause {
  text: string;
  punctuation: string;
}

export interface PhonemeClause {
  phonemes: string;
  punctuation: string;
}

/**
 * Where eSpeak NG ends a clause: at , . ? ! : ; … or a run of them, followed (after any closing quotes or
 * brackets) by white space or the end; at an em dash anywhere and a spaced en dash. A full stop followed by a lower-case word does not
 * end one ("p.m. today", "e.g. this"), and one inside a word or number never does ("10.50", "U.S.A"). Checked
 * against the espeak-ng program in companion-server/test/phonemes.test.ts.
 */
const CLAUSE_END = /([.,?!:;…]+)(["'”’)\]]*)(?=\s|$)|\s*—\s*|\s+–\s+/gu;

export function splitClauses(text: string): TextClause[] {
  const clauses: TextClause[] = [];
  let start = 0;
  for (const match of text.matchAll(CLAUSE_END)) {
    const punctuation = match[1] ?? match[0].trim();
    const end = match.index + match[0].length;
    if (punctuation === '.' && /^\s+\p{Ll}/u.test(text.slice(end))) continue;
    clauses.push({ text: text.slice(start, match.index), punctuation });
    start = end;
  }
  if (start < text.length) clauses.push({ text: text.slice(start), punctuation: '' });
  return clauses.filter((clause) => clause.text.trim() !== '');
}

/**
 * This eSpeak NG build's phoneme output → plain IPA clauses: it separates phonemes with "_" and its own clauses
 * with " | ", and marks words it reads in another language with flags such as "(fr)" that no model knows.
 */
export function espeakClauses(raw: string): string[] {
  return raw
    .split('|')
    .map((clause) =>
      clause
        .replace(/_/g, '')
        .replace(/\([a-z]{2,3}(?:-[a-z0-9]+)*\)/gi, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}

/**
 * The punctuation Piper keeps after a clause, as piper-phonemize writes eSpeak's clause terminators. eSpeak reads
 * "..." as an ellipsis, and an ellipsis or a dash as a semicolon's pause.
 */
function piperPunctuation(punctuation: string): { mark: string; endsSentence: boolean } {
  if (punctuation === '') return { mark: '', endsSentence: true };
  if (punctuation.includes('?')) return { mark: '?', endsSentence: true };
  if (punctuation.includes('!')) return { mark: '!', endsSentence: true };
  if (/…|\.\.|[;—–]/.test(punctuation)) return { mark: '; ', endsSentence: false };
  if (punctuation.includes('.')) return { mark: '.', endsSentence: true };
  if (punctuation.includes(':')) return { mark: ': ', endsSentence: false };
  return { mark: ', ', endsSentence: false };
}

/**
 * Clauses → Piper's sentences: each clause's phonemes followed by its punctuation (a comma, colon or semicolon
 * with a space after it), a new sentence after . ? !, as piper-phonemize does with eSpeak's clause terminators.
 */
export function piperSentences(clauses: PhonemeClause[]): string[] {
  const sentences: string[] = [];
  let current = '';
  for (const clause of clauses) {
    const { mark, endsSentence } = piperPunctuation(clause.punctuation);
    current += clause.phonemes + mark;
    if (endsSentence) {
      if (current.trim()) sentences.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) sentences.push(current.trim());
  return sentences;
}

type WorkerMessage =
  | { type: 'ready'; voices: string[] }
  | { type: 'phonemes'; id: number; phonemes: string[] }
  | { type: 'error'; id: number; message: string };

interface Pending {
  resolve: (phonemes: string[]) => void;
  reject: (error: Error) => void;
}

/**
 * eSpeak NG's IPA for the neural engines, computed in a worker thread (about 4 ms a sentence here, which would
 * otherwise hold up every other request). A thread that dies fails what it was doing and is started again on the
 * next call.
 */
export class Phonemizer {
  private worker: Worker | null = null;
  private started: Promise<void> | null = null;
  private failStart: ((error: Error) => void) | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** Settles once eSpeak NG has loaded and phonemized its warm-up text in the thread. */
  get ready(): Promise<void> {
    return this.start();
  }

  /** For each piece of text, eSpeak's IPA clauses (eSpeak splits a piece where it finds a clause break). */
  async phonemize(pieces: string[], voice: PhonemeVoice): Promise<string[][]> {
    if (this.closed) throw new Error('the phonemizer is closed');
    await this.start();
    const worker = this.worker;
    if (!worker) throw new Error('the eSpeak NG phonemizer thread is not running');
    const id = this.nextId++;
    const raw = await new Promise<string[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, voice, pieces });
    });
    return raw.map(espeakClauses);
  }

  /** Clause by clause, each with the punctuation that ended it in the text. */
  async clauses(text: string, voice: PhonemeVoice): Promise<PhonemeClause[]> {
    const split = splitClauses(text);
    // Each clause goes to eSpeak with its punctuation, so that it reads the clause as it would inside the whole
    // text (as a question, as the end of a sentence).
    const phonemes = await this.phonemize(
      split.map((clause) => clause.text + clause.punctuation),
      voice,
    );
    return split
      .map((clause, i) => ({ phonemes: (phonemes[i] ?? []).join(' '), punctuation: clause.punctuation }))
      .filter((clause) => clause.phonemes !== '');
  }

  /** The text as Piper's phonemizer gives it to a Piper model: one IPA string per sentence, punctuation kept. */
  async piper(text: string, voice: PhonemeVoice): Promise<string[]> {
    return piperSentences(await this.clauses(text, voice));
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failStart?.(new Error('the phonemizer was closed'));
    this.failPending('the phonemizer was closed');
    if (worker) await worker.terminate();
  }

  private start(): Promise<void> {
    if (this.started) return this.started;
    const worker = new Worker(WORKER_URL);
    this.worker = worker;
    this.started = new Promise<void>((resolve, reject) => {
      this.failStart = reject;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') return resolve();
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (message.type === 'phonemes') pending.resolve(message.phonemes);
        else pending.reject(new Error(`eSpeak NG could not phonemize the text: ${message.message}`));
      });
      const die = (reason: string): void => {
        if (this.worker !== worker) return;
        this.worker = null;
        this.started = null;
        reject(new Error(reason));
        this.failPending(reason);
      };
      worker.on('error', (error) => die(`the eSpeak NG phonemizer thread failed: ${error.message}`));
      worker.on('exit', (code) => die(`the eSpeak NG phonemizer thread exited (code ${code})`));
    });
    // A start nobody awaited must not be an unhandled rejection; the next call starts a new thread.
    this.started.catch(() => {});
    return this.started;
  }

  private failPending(reason: string): void {
    for (const pending of this.pending.values()) pending.reject(new Error(reason));
    this.pending.clear();
  }
}
