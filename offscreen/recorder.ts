import { putRecording } from '../core/db/recordings';
import { createHandoverSender } from '../core/recording-handover';
import {
  now,
  type RecorderEvent,
  type StreamedTranscriptReply,
  type TranscriptionStreamConfig,
  type StartRecordingReply,
  type StartRecordingRequest,
  type StopRecordingReply,
} from '../core/messages';
import { microphonePermission } from '../core/microphone-permission';
import { errorDetail } from '../core/storage-errors';
import { t } from '../core/i18n';
import { InputMonitor, type InputEvent } from './input-monitor';
import { PREFERRED_MIME_TYPE, explainMicrophoneFailure, openBrowserMicrophone, type Microphone } from './microphone';
import { keepRecording, type RecordingStore } from './recording-keeper';
import { TranscriptionStream } from './transcription-stream';

/**
 * The learner's microphone, in the offscreen document: one turn at a time, owned by the panel
 * that started it. It opens the microphone, records webm/opus, ends the turn when the learner
 * (or, hands-free, the detector in offscreen/input-monitor.ts) says so, and hands the audio on
 * (offscreen/recording-keeper.ts). The microphone is open only while a turn is being recorded,
 * so the browser's recording indicator goes off between turns.
 */

/** Small chunks, so stopping waits only for the last fraction of a second of audio. */
export const TIMESLICE_MS = 250;

export interface RecorderEnvironment extends RecordingStore {
  openMicrophone(): Promise<Microphone>;
  microphonePermission(): Promise<PermissionState | 'unknown'>;
  /** Tests: a stream over a scripted fetch. */
  streamTranscription?(config: TranscriptionStreamConfig): TranscriptionStream;
}

/** A streamed transcript nobody asked for within this long (the panel closed) is dropped. */
const STREAMED_KEPT_MS = 60_000;

interface Session {
  request: StartRecordingRequest;
  microphone: Microphone;
  recording: { mimeType: string; stop(): void };
  closeTap: () => Promise<void>;
  chunks: Blob[];
  startedAt: number;
  input: InputMonitor;
  /** The companion transcribes while the learner speaks (StartRecordingRequest.transcriptionStream). */
  stream?: TranscriptionStream;
  stopped: Promise<void>;
  failure?: string;
  ending?: Promise<StopRecordingReply | undefined>;
}

export class Recorder {
  private session: Session | undefined;
  private starting: Promise<StartRecordingReply> | undefined;
  /** The panel whose start is in flight. */
  private startingFor: string | undefined;
  /** Each saved turn's streamed transcript, by recording id, until the panel takes it. */
  private readonly streamed = new Map<string, Promise<StreamedTranscriptReply>>();

  constructor(
    /** Every event names the panel that owns the recording it is about. */
    private readonly emit: (panelId: string, event: RecorderEvent) => void,
    private readonly env: RecorderEnvironment = browserRecorderEnvironment(),
  ) {}

  get recording(): boolean {
    return this.session !== undefined || this.starting !== undefined;
  }

  /** The panel that owns the microphone now, if any. */
  get owner(): string | undefined {
    return this.startingFor ?? this.session?.request.panelId;
  }

  /** While the teacher speaks, the learner listening is not the learner being silent. */
  restartIdleTimer(): void {
    this.session?.input.restartIdleTimer();
  }

  start(request: StartRecordingRequest): Promise<StartRecordingReply> {
    const owner = this.owner;
    // One microphone, one owner: a panel in another window never shares (or ends) this turn.
    if (owner !== undefined && owner !== request.panelId && !this.session?.ending) {
      return Promise.resolve({ status: 'busy' });
    }
    if (this.starting) {
      return this.starting.then((reply) =>
        reply.status === 'recording' ? { status: 'already-recording', startedAt: reply.startedAt } : reply,
      );
    }
    if (this.session && !this.session.ending) {
      // Asked to listen again while still listening (hands-free, after the teacher's reply):
      // the learner's silence counts from now.
      this.restartIdleTimer();
      return Promise.resolve({ status: 'already-recording', startedAt: this.session.startedAt });
    }
    const previous = this.session?.ending;
    this.startingFor = request.panelId;
    this.starting = (async () => {
      // A turn the detector is still saving finishes first; the new one gets the microphone after.
      if (previous) await previous;
      return this.open(request);
    })().finally(() => {
      this.starting = undefined;
      this.startingFor = undefined;
    });
    return this.starting;
  }

  /** Stops, saves to IndexedDB, and says how long each step took. Only the owner can stop. */
  async stop(panelId: string): Promise<StopRecordingReply> {
    if (this.starting) await this.starting;
    const session = this.session;
    if (!session || session.request.panelId !== panelId) return { status: 'not-recording' };
    session.ending ??= this.end(session, true);
    return (await session.ending) ?? { status: 'not-recording' };
  }

  /**
   * The transcript the companion gave a recording's stream (once), or 'none' with why: then the panel uploads it.
   */
  takeStreamed(recordingId: string): Promise<StreamedTranscriptReply> {
    const reply = this.streamed.get(recordingId);
    this.streamed.delete(recordingId);
    return reply ?? Promise.resolve({ status: 'none', reason: 'this recording was not streamed' });
  }

  /** Stops and throws the audio away. */
  async cancel(panelId: string): Promise<void> {
    if (this.starting) await this.starting;
    const session = this.session;
    if (!session || session.request.panelId !== panelId) return;
    session.ending ??= this.end(session, false);
    await session.ending;
  }

  private async open(request: StartRecordingRequest): Promise<StartRecordingReply> {
    let microphone: Microphone;
    try {
      microphone = await this.env.openMicrophone();
    } catch (error) {
      return explainMicrophoneFailure(error, () => this.env.microphonePermission());
    }
    try {
      const chunks: Blob[] = [];
      let markStopped = (): void => undefined;
      const stopped = new Promise<void>((resolve) => (markStopped = resolve));
      const session: Session = {
        request,
        microphone,
        chunks,
        startedAt: now(),
        input: new InputMonitor(request, (event) => this.onInput(session, event)),
        stopped,
        recording: { mimeType: '', stop: () => undefined },
        closeTap: async () => undefined,
      };
      session.recording = microphone.record(TIMESLICE_MS, {
        onData: (chunk) => {
          if (chunk.size > 0) chunks.push(chunk);
        },
        onStop: markStopped,
        onError: (message) => {
          session.failure = message;
          markStopped();
          this.emit(request.panelId, { type: 'error', message: t('recorder.failed', { detail: message }) });
          session.ending ??= this.end(session, false);
        },
      });
      if (request.transcriptionStream) {
        const config = request.transcriptionStream;
        session.stream = this.env.streamTranscription?.(config) ?? new TranscriptionStream(config);
      }
      session.closeTap = microphone.tap((samples, sampleRate) => {
        if (!session.ending && this.session === session) {
          session.input.frame(samples, sampleRate);
          session.stream?.push(samples, sampleRate);
        }
      });
      this.session = session;
      return { status: 'recording', startedAt: session.startedAt };
    } catch (error) {
      microphone.release();
      return { status: 'error', message: t('recorder.couldNotStart', { detail: errorDetail(error) }) };
    }
  }

  /** What the input heard: the meter's level goes to the panel; an end of the turn ends it. */
  private onInput(session: Session, event: InputEvent): void {
    const panelId = session.request.panelId;
    if (event.type === 'level') {
      this.emit(panelId, { type: 'level', level: event.level, elapsedMs: Math.round(now() - session.startedAt) });
    } else if (event.type === 'speech-start') {
      this.emit(panelId, { type: 'speech-start', at: now() });
    } else if (event.type === 'idle') {
      session.ending ??= this.end(session, false);
      void session.ending.then(() => this.emit(panelId, { type: 'idle-timeout' }));
    } else {
      this.autoStop(session);
    }
  }

  /** The recorder ends the turn itself and hands the saved recording to the panel. */
  private autoStop(session: Session): void {
    session.ending ??= this.end(session, true);
    void session.ending.then((result) => {
      if (result) this.emit(session.request.panelId, { type: 'auto-stopped', result });
    });
  }

  /** Stops the recorder, releases the microphone, and saves the audio when `save` is set. */
  private async end(session: Session, save: boolean): Promise<StopRecordingReply | undefined> {
    const stopRequestedAt = now();
    try {
      session.recording.stop();
      // Resolves on the recorder's own 'stop' event, right after the last chunk: no fixed wait.
      await session.stopped;
    } catch (error) {
      session.failure ??= errorDetail(error);
    }
    const stoppedAt = now();
    // The rest of the stream leaves now, beside the save: the transcript is being made while the panel is told.
    let streamed: Promise<unknown> | undefined;
    if (save && !session.failure) streamed = session.stream?.end();
    else session.stream?.cancel();
    // The audio is handed over and its write started first, then the tracks stop (the microphone
    // is free before the stop is answered). Closing the level meter's audio context is not waited
    // for: it holds no microphone. Recorder stopped → stop answered in the panel went from 7–12 ms
    // to 6–10 ms (bench, 6 turns each).
    const kept = save ? this.keep(session, stopRequestedAt, stoppedAt) : undefined;
    void this.release(session);
    const stream = session.stream;
    if (kept && streamed && stream) void kept.then((reply) => this.keepStreamed(reply, stream, streamed));
    return kept;
  }

  private keepStreamed(reply: StopRecordingReply, stream: TranscriptionStream, ending: Promise<unknown>): void {
    if (reply.status !== 'saved') {
      stream.cancel();
      return;
    }
    const { recordingId } = reply;
    this.streamed.set(
      recordingId,
      ending.then(
        (body): StreamedTranscriptReply =>
          body ? { status: 'transcript', body } : { status: 'none', reason: stream.failure ?? 'no transcript' },
      ),
    );
    setTimeout(() => this.streamed.delete(recordingId), STREAMED_KEPT_MS);
  }

  private keep(session: Session, stopRequestedAt: number, stoppedAt: number): Promise<StopRecordingReply> {
    if (session.failure) {
      return Promise.resolve({ status: 'error', message: t('recorder.failed', { detail: session.failure }) });
    }
    const { panelId, conversationId } = session.request;
    return keepRecording(
      {
        panelId,
        conversationId,
        purpose: session.request.purpose ?? 'turn',
        chunks: session.chunks,
        mimeType: session.recording.mimeType || PREFERRED_MIME_TYPE,
        startedAt: session.startedAt,
        stopRequestedAt,
        stoppedAt,
        peakLevel: session.input.peakLevel,
        speechDetected: session.input.speechDetected,
      },
      this.env,
      this.emit,
    );
  }

  private async release(session: Session): Promise<void> {
    session.microphone.release();
    if (this.session === session) this.session = undefined;
    try {
      await session.closeTap();
    } catch {
      // A context that fails to close holds no microphone: the tracks are already stopped.
    }
  }
}

export function browserRecorderEnvironment(): RecorderEnvironment {
  return {
    openMicrophone: openBrowserMicrophone,
    microphonePermission,
    saveRecording: putRecording,
    handOver: createHandoverSender(),
  };
}
