import { now, type CompanionTarget, type SpeakRequest, type SpeechEvent, type StopSpeechReply } from '../core/messages';
import { CLAUSE_PAUSE_MS, endsMidSentence } from '../common/sentence-splitter';
import { CompanionUnreachableError, fetchSpeech } from '../core/companion-client';
import type { AudioPlayer } from './audio-player';
import { SpeechQueue } from './speech-queue';

const ABANDONED_TURN_MS = 30_000;

interface Turn<B> {
  id: string;
  /** The panel that asked for this reply; only it may stop it. */
  panelId: string;
  queue: SpeechQueue<B>;
  companion: CompanionTarget;
  /** The text of each sentence by sequence number, to hear where a clause was cut off its sentence. */
  texts: string[];
}

/**
 * The teacher's voice for one reply at a time: each 'offscreen:speak' sentence goes into a
 * SpeechQueue (synthesis of the next sentences overlaps playback of this one), and the queue's
 * progress goes to the panel as SpeechEvents. A new turn, or a barge-in, silences the old one at once.
 */
export class TeacherVoice<B extends { readonly duration: number } = AudioBuffer> {
  private turn: Turn<B> | undefined;
  /**
   * Turns that are over. The chat stream may still deliver a sentence of a reply just
   * interrupted, in the moment before its abort lands; that sentence must not start a new queue.
   */
  private readonly closed: string[] = [];
  private lastActivity = Date.now();

  constructor(
    private readonly player: AudioPlayer<B>,
    private readonly report: (event: SpeechEvent) => void,
    /** A stand-in for the network in tests; the browser's fetch otherwise. */
    private readonly fetchImpl?: typeof fetch,
  ) {}

  /**
   * A reply whose panel went away before ending it (closed mid-stream) would otherwise count as
   * speaking for ever and keep the offscreen document alive; silent this long, it is abandoned.
   */
  get speaking(): boolean {
    return this.player.busy || (this.turn !== undefined && Date.now() - this.lastActivity < ABANDONED_TURN_MS);
  }

  private emit(event: SpeechEvent): void {
    this.lastActivity = Date.now();
    this.report(event);
  }

  /** Queues one sentence; returns its sequence number in the turn (-1 if the turn has ended). */
  speak(request: SpeakRequest): number {
    this.lastActivity = Date.now();
    if (this.closed.includes(request.turnId)) return -1;
    if (this.turn?.id !== request.turnId) {
      // A new reply replaces the old one, whoever's it was: its panel hears 'finished: stopped'.
      this.stop();
      this.turn = this.startTurn(request.turnId, request.panelId, request.companion);
    }
    this.turn.companion = request.companion;
    const seq = this.turn.queue.push(request.text);
    if (seq >= 0) this.turn.texts[seq] = request.text;
    return seq;
  }

  end(turnId: string): void {
    if (this.turn?.id === turnId) this.turn.queue.end();
  }

  /** The panel whose reply is being spoken, if any. */
  get owner(): string | undefined {
    return this.turn?.panelId;
  }

  /**
   * Barge-in: nothing of the current turn plays now or later. With `panelId`, only that panel's
   * reply is stopped: a panel in another window does not silence this one's teacher.
   */
  stop(panelId?: string): StopSpeechReply {
    if (panelId !== undefined && this.turn && this.turn.panelId !== panelId) {
      return { turnId: null, heard: [], stoppedAt: now() };
    }
    const turn = this.turn;
    this.turn = undefined;
    if (turn) this.close(turn.id);
    // The queue first, so no sentence is handed to the player between the two calls.
    const heard = turn ? turn.queue.stop().heard : [];
    this.player.stopAll();
    return { turnId: turn?.id ?? null, heard, stoppedAt: now() };
  }

  private close(turnId: string): void {
    if (this.closed.includes(turnId)) return;
    this.closed.push(turnId);
    if (this.closed.length > 50) this.closed.shift();
  }

  private startTurn(turnId: string, panelId: string, companion: CompanionTarget): Turn<B> {
    const turn: Turn<B> = {
      id: turnId,
      panelId,
      companion,
      texts: [],
      queue: new SpeechQueue<B>({
        synthesize: async (text, signal) => {
          const bytes = await fetchSpeech(turn.companion, text, signal, this.fetchImpl);
          return this.player.decode(bytes);
        },
        schedule: (clip, seq) =>
          this.player.schedule(clip, endsMidSentence(turn.texts[seq - 1] ?? '') ? CLAUSE_PAUSE_MS : 0),
        now,
        onEvent: (event) => {
          if (event.type === 'synth-done') {
            this.emit({ type: 'synthesized', turnId, seq: event.seq, at: event.at, ms: Math.round(event.ms ?? 0) });
          } else if (event.type === 'started' || event.type === 'ended') {
            this.emit({ type: event.type, turnId, seq: event.seq, at: event.at });
          } else if (event.type === 'error' && event.seq === 0 && this.turn === turn) {
            // The first sentence failed, so nothing of this reply can play before the failure: hand
            // the reply to another voice now, not after the whole reply has streamed in.
            this.turn = undefined;
            this.close(turnId);
            turn.queue.stop();
            this.emit({
              type: 'failed',
              turnId,
              seq: 0,
              message: event.error instanceof Error ? event.error.message : String(event.error),
              unplayed: [],
              companionUnreachable: event.error instanceof CompanionUnreachableError,
            });
          }
        },
      }),
    };
    void turn.queue.finished.then((result) => {
      this.close(turnId);
      if (this.turn === turn) this.turn = undefined;
      if (result.status === 'failed' && result.failedAt) {
        const error = result.failedAt.error;
        this.emit({
          type: 'failed',
          turnId,
          seq: result.failedAt.seq,
          message: error instanceof Error ? error.message : String(error),
          unplayed: result.unplayed.map((sentence) => sentence.text),
          companionUnreachable: error instanceof CompanionUnreachableError,
        });
      }
      this.emit({ type: 'finished', turnId, status: result.status, heard: result.heard });
    });
    return turn;
  }
}
