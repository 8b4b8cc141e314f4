import type { DBSchema } from 'idb';
import type { Card } from 'ts-fsrs';
import type { HardSoundId } from '../pronunciation';
import type { Correction } from '../../features/corrections/correction-schema';
import type { PageCapture } from '../../features/page/page-capture';
import type { PracticeTarget } from '../../features/talk/turn-machine';

/**
 * What AITalk keeps in IndexedDB: conversations, their messages (with per-turn timings), the
 * learner's recordings as Blobs, the corrections of each learner sentence and the notebook built
 * from them, what the learner did with pages, the sounds to work on and the scores of judged attempts. Every extension page shares one origin and so
 * this one database: the offscreen document writes a recording, the side panel reads it by id.
 * Each store's functions sit in a module of their own (core/db/conversations.ts,
 * core/db/recordings.ts; a feature's own stores beside that feature); opening and upgrading the
 * database is core/db/open.ts.
 */

export const DB_NAME = 'aitalk';
export const DB_VERSION = 6;

/** A new record's id. */
export function newId(): string {
  return crypto.randomUUID();
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  /** The pages the conversation is about, oldest first (absent before version 4: none). */
  pages?: PageCapture[];
}

export type MessageRole = 'user' | 'assistant';

/**
 * user: recorded → transcribing → done, or failed (the recording is kept, so it can be retried);
 * unsent: recorded while the panel closed, waiting for the learner to send or delete it.
 * assistant: streaming → done, interrupted (barge-in: `text` is what was heard), or failed.
 */
export type MessageStatus = 'recorded' | 'unsent' | 'transcribing' | 'streaming' | 'done' | 'interrupted' | 'failed';

/** Times of one turn, performance.timeOrigin-based milliseconds (see core/messages.ts `now`). */
export interface TurnTimings {
  stopPressedAt?: number;
  recordingStoppedAt?: number;
  recordingSavedAt?: number;
  uploadSentAt?: number;
  transcriptAt?: number;
  chatSentAt?: number;
  firstTokenAt?: number;
  firstSentenceAt?: number;
  firstAudioAt?: number;
  replyDoneAt?: number;
  /** Barge-in: when the learner interrupted, and when the teacher fell silent. */
  interruptedAt?: number;
  silencedAt?: number;
  /** Learner turns: the corrections lane (its request began; its card could be shown). */
  checkStartedAt?: number;
  checkedAt?: number;
}

/** One recognised word and when it was said, seconds from the start of the recording. */
export interface SpokenWord {
  word: string;
  start: number;
  end: number;
}

export interface Message {
  id: string;
  conversationId: string;
  role: MessageRole;
  text: string;
  status: MessageStatus;
  createdAt: number;
  /** The learner's recording, kept before upload so a failed request can be retried. */
  recordingId?: string;
  /** What went wrong, in words for the learner, when status is 'failed'. */
  error?: string;
  /** Assistant replies: the whole reply as generated, when only part of it was heard. */
  fullText?: string;
  /**
   * Interrupted replies: the sentences heard to their end (`text` also holds the one cut off), which Repeat after
   * me offers (absent on replies interrupted before 2026-12).
   */
  spokenWhole?: string;
  timings: TurnTimings;
  /**
   * Learner turns, for the session's fluency figures: the words with their times when the
   * transcription gave them, and the spoken length in seconds (the server's, else the
   * recording's). Absent on turns recorded before they were kept.
   */
  words?: SpokenWord[];
  durationS?: number;
}

export interface Recording {
  id: string;
  conversationId: string;
  blob: Blob;
  /** The blob's size, kept beside it so measuring storage reads no audio (absent before 2026-11). */
  bytes?: number;
  mimeType: string;
  durationMs: number;
  createdAt: number;
  /** A practice attempt is deleted once judged; it never becomes a turn. */
  purpose?: 'turn' | 'practice';
}

/** The corrections of one learner sentence (features/corrections/notebook.ts), keyed by its message. */
export interface StoredCheck {
  messageId: string;
  conversationId: string;
  sentence: string;
  corrections: Correction[];
  natural: string;
  /** Indexes into `corrections` the learner dismissed with "I didn't say that". */
  dismissed: number[];
  /** The learner said the transcript is wrong: it is not what they said. */
  misheard: boolean;
  checkedAt: number;
}

/** A learner's result the last time they said the corrected sentence again. */
export interface AttemptRecord {
  at: number;
  said: string;
  right: number;
  total: number;
  allRight: boolean;
}

/** One correction kept for review, with the sentence it came from. */
export interface NotebookEntry {
  id: string;
  conversationId: string;
  messageId: string;
  /** Which correction of the message's check this is. */
  correctionIndex: number;
  sentence: string;
  /** The sentence with the check's (not dismissed) minimal fixes applied: what "Say it again" asks for. */
  correctedSentence: string;
  natural: string;
  correction: Correction;
  createdAt: number;
  /** ts-fsrs review state; `due` is copied out as a number for the index. */
  card: Card;
  due: number;
  lastAttempt?: AttemptRecord;
  /** When each review ("Say it again") happened, oldest first (absent on entries reviewed before it was kept). */
  reviewedAt?: number[];
}

/** A page selection the learner read aloud, and how it went. */
export interface Reading {
  id: string;
  pageTitle: string;
  url: string;
  text: string;
  said: string;
  right: number;
  total: number;
  wordsPerMinute: number;
  durationMs: number;
  at: number;
}

/** A word or phrase from a page the learner asked about ("What does this mean?"). */
export interface VocabularyEntry {
  id: string;
  phrase: string;
  meaning: string;
  example: string;
  /** The explanation language it was explained in. */
  language: string;
  pageTitle: string;
  url: string;
  at: number;
}

/** One attempt a sound went wrong in: the word, the sentence it was in, what it sounded closer to. */
export interface SoundExample {
  word: string;
  /** The whole text the learner was saying. */
  text: string;
  /** IPA; absent when the sound was left out. */
  heardInstead?: string;
  at: number;
  /** null for an attempt made outside a conversation. */
  conversationId: string | null;
}

/** The last minimal-pair drill of a sound (features/pronunciation/sounds-store.ts). */
export interface SoundDrillRecord {
  at: number;
  score: number;
  /** Every word carrying the sound was said well. */
  passed: boolean;
}

/** A sound to work on (the notebook's Sounds tab), one record per hard sound, with the review scheduled like a NotebookEntry. */
export interface SoundEntry {
  id: HardSoundId;
  ipa: string;
  /** The most recent first, a few at most. */
  examples: SoundExample[];
  /** How many judged attempts it went wrong in. */
  wrongCount: number;
  /** The conversations it went wrong in, first seen first. */
  conversationIds: string[];
  createdAt: number;
  updatedAt: number;
  /** ts-fsrs review state; `due` is copied out as a number for the index. */
  card: Card;
  due: number;
  lastDrill?: SoundDrillRecord;
}

/** The score of one judged practice attempt: for the session card and progress over time. */
export interface JudgedAttempt {
  id: string;
  at: number;
  conversationId: string | null;
  kind: PracticeTarget['kind'];
  /** 0–100. */
  score: number;
  /**
   * The sounds it went wrong in, each counted once in that sound's `wrongCount`, so that deleting its conversation
   * takes them back out (absent on drills and on attempts kept before 2026-12).
   */
  sounds?: HardSoundId[];
}

/** What a fact is about: who the learner is, what they do and like, what they aim for, what is coming up. */
export const PROFILE_FACT_KINDS = ['name', 'job', 'interests', 'goal', 'event'] as const;
export type ProfileFactKind = (typeof PROFILE_FACT_KINDS)[number];

/**
 * Something the learner chose to tell the teacher and kept (features/memory/profile.ts): only facts
 * they saw and kept are stored, and they can edit or delete each.
 */
export interface ProfileFact {
  id: string;
  kind: ProfileFactKind;
  text: string;
  createdAt: number;
  /** The conversation it was learned in. */
  conversationId: string;
}

export interface AITalkSchema extends DBSchema {
  conversations: { key: string; value: Conversation; indexes: { 'by-updated': number } };
  messages: { key: string; value: Message; indexes: { 'by-conversation': [string, number] } };
  recordings: { key: string; value: Recording; indexes: { 'by-conversation': string } };
  checks: { key: string; value: StoredCheck; indexes: { 'by-conversation': string } };
  notebook: { key: string; value: NotebookEntry; indexes: { 'by-due': number; 'by-message': string } };
  readings: { key: string; value: Reading; indexes: { 'by-at': number } };
  vocabulary: { key: string; value: VocabularyEntry; indexes: { 'by-at': number } };
  sounds: { key: HardSoundId; value: SoundEntry; indexes: { 'by-due': number } };
  attempts: { key: string; value: JudgedAttempt; indexes: { 'by-conversation': string; 'by-at': number } };
  profile: { key: string; value: ProfileFact; indexes: { 'by-created': number } };
}
