import { defineExtensionMessaging } from '@webext-core/messaging';
import type { PageRequest, TalkRequest } from '../features/settings/settings';
import type { PronunciationJudgement } from './pronunciation';

/**
 * The one message protocol between AITalk's contexts. `runtime.sendMessage` reaches every
 * extension page, so every message name starts with its destination
 * (`background:` / `offscreen:` / `sidepanel:`) and only that context listens for it.
 */

/** Where the offscreen document fetches the teacher's voice from (it has no `storage`). */
export interface CompanionTarget {
  url: string;
  token: string;
  voice: string;
  speed: number;
}

export interface VoiceActivityOptions {
  /** Silence after speech that ends the learner's turn. */
  endSilenceMs: number;
  /** No speech at all for this long ends hands-free listening. */
  idleTimeoutMs: number;
}

/**
 * Each open panel has an id for its lifetime. It owns the recordings and the replies it starts:
 * another panel is told the microphone is busy, and when the panel closes, what it owned stops.
 */
export interface PanelRef {
  panelId: string;
}

/** The name of the port a panel holds open to the offscreen document (see core/panel-link.ts). */
export const PANEL_PORT_PREFIX = 'aitalk-panel:';

/** Thrown by the offscreen document once it has agreed to close: ask the background again. */
export const OFFSCREEN_CLOSING = 'AITalk: the recording document is closing';

export interface StartRecordingRequest extends PanelRef {
  conversationId: string;
  /** A practice attempt ("Say it again", "Read it aloud") is never kept as a turn. */
  purpose?: 'turn' | 'practice';
  /** Hands-free: the voice-activity detector ends the turn; otherwise the learner does. */
  handsFree: boolean;
  vad: VoiceActivityOptions;
  /** The companion transcribes: stream the audio to it while the learner speaks (offscreen/transcription-stream.ts). */
  transcriptionStream?: TranscriptionStreamConfig;
}

/** Where the recording document streams a turn's audio: the companion's address (no /v1) and its token, if any. */
export interface TranscriptionStreamConfig {
  companionUrl: string;
  token: string;
  /** The transcription prompt (verbatim style); '' sends none. */
  prompt: string;
}

/** A streamed turn's transcript, in the companion's verbose_json shape; 'none' when it must be uploaded whole. */
export type StreamedTranscriptReply = { status: 'transcript'; body: unknown } | { status: 'none'; reason: string };

/** Replies carry explicit states, not booleans (docs/ARCHITECTURE.md, "Messages between contexts"). */
export type StartRecordingReply =
  | { status: 'recording'; startedAt: number }
  | { status: 'already-recording'; startedAt: number }
  /** Another panel (another window) is recording. */
  | { status: 'busy' }
  | { status: 'permission-needed' }
  | { status: 'permission-denied' }
  | { status: 'no-microphone' }
  | { status: 'error'; message: string };

export interface SavedRecording {
  status: 'saved';
  recordingId: string;
  conversationId: string;
  purpose?: 'turn' | 'practice';
  mimeType: string;
  bytes: number;
  durationMs: number;
  /** Loudest input level seen (0–1 RMS); near zero means nothing was heard. */
  peakLevel: number;
  /** Whether the voice-activity detector heard any speech at all. */
  speechDetected: boolean;
  /** performance.timeOrigin-based wall-clock times, comparable across contexts. */
  stopRequestedAt: number;
  stoppedAt: number;
  /**
   * The audio was handed to the panels in memory and is still being written to IndexedDB beside
   * the upload: a 'recording-stored' or 'recording-store-failed' event follows. Until then the
   * panel neither reads nor deletes it there.
   */
  writing: boolean;
  /** When the write completed, if it did before this reply (`writing` false). */
  savedAt?: number;
}

export type StopRecordingReply = SavedRecording | { status: 'not-recording' } | { status: 'error'; message: string };

export type RecorderEvent =
  | { type: 'level'; level: number; elapsedMs: number }
  | { type: 'speech-start'; at: number }
  /** Hands-free: the detector ended the turn itself; the recording is already saved. */
  | { type: 'auto-stopped'; result: StopRecordingReply }
  /** Hands-free: nobody spoke for a while; listening ended and the microphone is released. */
  | { type: 'idle-timeout' }
  /** A recording answered with `writing: true` is now in IndexedDB. */
  | { type: 'recording-stored'; recordingId: string; at: number }
  /** …or could not be written (storage full, say); the message says what to do. */
  | { type: 'recording-store-failed'; recordingId: string; message: string }
  | { type: 'error'; message: string };

export interface SpeakRequest extends PanelRef {
  turnId: string;
  text: string;
  companion: CompanionTarget;
}

export type SpeechEvent =
  | { type: 'synthesized'; turnId: string; seq: number; at: number; ms: number }
  | { type: 'started'; turnId: string; seq: number; at: number }
  | { type: 'ended'; turnId: string; seq: number; at: number }
  | { type: 'finished'; turnId: string; status: 'done' | 'stopped' | 'failed'; heard: number[] }
  | {
      type: 'failed';
      turnId: string;
      seq: number;
      message: string;
      /**
       * The sentences that will never play, so the panel can speak them another way. Empty when
       * the very first sentence failed: then nothing plays from `seq` on, including sentences the
       * panel sends afterwards.
       */
      unplayed: string[];
      companionUnreachable: boolean;
    };

export interface StopSpeechReply {
  turnId: string | null;
  heard: number[];
  stoppedAt: number;
}

export interface JudgePronunciationRequest {
  recordingId: string;
  /** The text the learner was asked to say. */
  text: string;
}

/** The judgement, or why the judge could not run at all (a model that failed to load, audio it cannot decode). */
export type JudgePronunciationReply = PronunciationJudgement | { kind: 'error'; message: string };

export interface OffscreenStatus {
  recording: boolean;
  speaking: boolean;
}

interface ProtocolMap {
  'background:ensure-offscreen'(): void;
  /** The offscreen document has been idle for a while: close it to free its resources. */
  'background:offscreen-idle'(): void;

  'offscreen:start-recording'(data: StartRecordingRequest): StartRecordingReply;
  /** Only the panel that started the recording can stop or cancel it. */
  'offscreen:stop-recording'(data: PanelRef): StopRecordingReply;
  'offscreen:cancel-recording'(data: PanelRef): void;
  /** Asked once per recording, after its stop: the transcript its stream gave (features/talk/transcription.ts). */
  'offscreen:streamed-transcript'(data: { recordingId: string }): StreamedTranscriptReply;
  /** Queue one sentence of the teacher's reply; returns its sequence number within the turn. */
  'offscreen:speak'(data: SpeakRequest): number;
  /** No more sentences for this turn. */
  'offscreen:end-speech'(data: { turnId: string }): void;
  /** Barge-in: silence the teacher now and drop everything not yet played (if this panel's). */
  'offscreen:stop-speech'(data: PanelRef): StopSpeechReply;
  'offscreen:status'(): OffscreenStatus;
  /**
   * How a practice attempt was said: the recording (still kept by this document) judged against its text on
   * this computer (offscreen/pronunciation/). Nothing is sent anywhere.
   */
  'offscreen:judge-pronunciation'(data: JudgePronunciationRequest): JudgePronunciationReply;
  /**
   * The background wants to close the idle document. It answers true and refuses all new work
   * from then on (until the close, or for a few seconds if the close never comes), or false when
   * busy; deciding and refusing in one step leaves no window in which a new turn could start on
   * a document about to close.
   */
  'offscreen:prepare-close'(): boolean;
  /** The close it agreed to failed: it takes new work again. */
  'offscreen:close-failed'(): void;

  /** Events of the recording a panel started; other panels ignore them. */
  'sidepanel:recorder-event'(data: PanelRef & { event: RecorderEvent }): void;
  'sidepanel:speech-event'(data: SpeechEvent): void;
  /** The talk shortcut, sent straight to an open panel (see features/talk/shortcut-requests.ts). */
  'sidepanel:talk-request'(data: TalkRequest): void;
  /** A page read at the learner's request (the page shortcut, a menu item); see shortcut-requests.ts. */
  'sidepanel:page-request'(data: PageRequest): void;
  /** The permission page got the learner's yes. */
  'sidepanel:microphone-allowed'(): void;
}

export const { sendMessage, onMessage } = defineExtensionMessaging<ProtocolMap>();

/** A wall-clock time with sub-millisecond precision that means the same in every context. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
