import { now, type RecorderEvent, type StopRecordingReply } from '@/core/messages';
import { t } from '@/core/i18n';
import { errorText } from '../../panel/banner';
import { holdRendersFor } from '../../panel/render-gate';
import type { HistoryStore } from '../conversations/history';
import type { SettingsSync } from '../settings/settings-sync';
import type { RecorderClient } from './recorder-client';
import { readQuirksAhead } from './server-quirks';
import { transcriptionStreamFor } from './transcription-stream';
import type { TurnEvent } from './turn-machine';

/**
 * The turn's microphone: opens, stops and cancels this panel's recording in the offscreen document
 * when the turn machine asks, and turns what the recorder reports into the machine's events.
 */
export interface MicrophoneDeps {
  recorder: RecorderClient;
  history: HistoryStore;
  settings: SettingsSync;
  dispatch(event: TurnEvent): void;
  /**
   * A barge-in's stop on its way to the voice. The microphone's start waits for it: both are work
   * for the one main thread the panel shares with the offscreen document, and silence comes first.
   */
  silenced(): Promise<unknown>;
}

export type Microphone = ReturnType<typeof createMicrophone>;

export function createMicrophone({ recorder, history, settings, dispatch, silenced }: MicrophoneDeps) {
  async function start(handsFree: boolean, purpose: 'turn' | 'practice'): Promise<void> {
    const conversation = history.conversation.value;
    if (!conversation) throw new Error(t('conversation.noConversation'));
    // What the transcription server refused before is read now, not when the upload is due.
    readQuirksAhead(settings.endpoints.value.transcription.baseUrl);
    await silenced();
    // Practice attempts are short and judged apart (features/talk/practice-attempts.ts): only turns stream.
    const stream = purpose === 'turn' ? transcriptionStreamFor(settings.settings.value) : undefined;
    const reply = await recorder.start(conversation.id, handsFree, purpose, stream);
    switch (reply.status) {
      case 'recording':
      case 'already-recording':
        dispatch({ type: 'mic-started' });
        return;
      case 'error':
        dispatch({ type: 'mic-refused', reason: 'error', message: reply.message });
        return;
      default:
        dispatch({ type: 'mic-refused', reason: reply.status });
    }
  }

  async function stop(): Promise<void> {
    const stopPressedAt = now();
    const stopping = recorder.stop();
    // The recording document shares this thread: the press's redraw waits until it has stopped.
    holdRendersFor(stopping);
    let result: StopRecordingReply;
    try {
      result = await stopping;
    } catch (error) {
      result = { status: 'error', message: errorText(error) };
    }
    dispatch({ type: 'recording-ended', result, stopPressedAt });
  }

  function heard(event: RecorderEvent): void {
    switch (event.type) {
      case 'speech-start':
        dispatch({ type: 'speech-start' });
        return;
      case 'auto-stopped': {
        const result = event.result;
        dispatch({
          type: 'recording-ended',
          result,
          stopPressedAt: result.status === 'saved' ? result.stopRequestedAt : now(),
        });
        return;
      }
      case 'idle-timeout':
        dispatch({ type: 'idle-timeout' });
        return;
      case 'error':
        dispatch({ type: 'mic-failed', message: event.message });
        return;
      case 'level':
      case 'recording-stored':
      case 'recording-store-failed':
        return;
    }
  }

  return {
    start,
    stop,
    cancel: (): Promise<void> => recorder.cancel(),
    /** Nothing was said: the audio of the room is not kept. */
    discard: (recordingId: string): Promise<void> => recorder.discard(recordingId),
    heard,
  };
}
