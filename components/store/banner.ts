import { signal } from '@preact/signals';
import { ApiProblem, NO_KEY_MESSAGE } from '@/utils/api-errors';
import { COMPANION_START_HINT } from '@/utils/companion';
import { describeStorageError } from '@/utils/storage-errors';
import type { Notice, NoticeText } from './turn-machine';

/** The one message line at the top of the panel: an error or a notice, and what to do about it. */
export interface Banner {
  kind: 'error' | 'info';
  message: string;
  /**
   * What the learner can do about it, shown as a button: retry the turn, open the settings (only
   * when a setting can fix it), or allow the microphone.
   */
  action?: 'retry' | 'settings' | 'microphone';
  /** The message a Retry applies to. */
  messageId?: string;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type BannerStore = ReturnType<typeof createBanner>;

/** `companionUrl` names the voice server in the notice that it is not running. */
export function createBanner(companionUrl: () => string) {
  const banner = signal<Banner | null>(null);

  function words(text: NoticeText): string {
    switch (text.id) {
      case 'no-key':
        return NO_KEY_MESSAGE;
      case 'permission-needed':
        return 'AITalk needs your microphone to hear you. Allow it in the tab that just opened, then press Talk again.';
      case 'permission-denied':
        return 'The microphone is blocked for AITalk. Open chrome://settings/content/microphone, allow AITalk, then press Talk again.';
      case 'no-microphone':
        return 'No microphone was found. Connect one (or check your system sound settings), then press Talk again.';
      case 'busy-elsewhere':
        return 'The microphone is busy in another window’s AITalk panel. Finish or stop the turn there, then press Talk here.';
      case 'mic-error':
        return `The microphone could not start: ${text.detail} Press Talk to try again.`;
      case 'mic-stopped':
        return `The microphone stopped: ${text.detail}. Press Talk to try again.`;
      case 'recording-failed':
        return `${text.detail} Press Talk to try again.`;
      case 'heard-nothing':
        return 'I didn’t hear anything — check that your microphone is on and not muted, then press Talk and speak.';
      case 'no-words':
        return 'I couldn’t make out any words. Speak a little closer to the microphone, then press Talk.';
      case 'still-working':
        return 'Still working on your last turn — one moment, then press Talk again.';
      case 'hands-free-paused':
        return 'Hands-free paused. Press Talk to continue.';
      case 'hands-free-idle':
        return 'Hands-free paused after a long silence. Press Talk to continue.';
      case 'microphone-allowed':
        return 'Microphone allowed. Press Talk (or the shortcut) to speak.';
      case 'companion-unreachable':
        return `The voice server is not running at ${companionUrl()}, so your browser’s voice reads the reply. ${COMPANION_START_HINT}`;
      case 'companion-failed':
        return `The voice server failed (${text.detail}), so your browser’s voice reads the reply.`;
      case 'api-error':
        return '';
    }
  }

  /** An error, in the learner's words, with the one action that can help. */
  function showError(error: unknown, messageId?: string): void {
    const problem = error instanceof ApiProblem ? error : null;
    const storage = describeStorageError(error);
    const message = problem ? problem.message : (storage ?? errorText(error));
    // "Open settings" only where a setting can fix it; anywhere else it would mislead.
    const action: Banner['action'] = problem?.settingsCanFix ? 'settings' : messageId ? 'retry' : undefined;
    banner.value = { kind: 'error', message, action, messageId };
  }

  function notify(notice: Notice): void {
    if (notice.kind === 'error' && notice.text.id === 'api-error') {
      showError(notice.error, notice.messageId);
      return;
    }
    banner.value = {
      kind: notice.kind,
      message: words(notice.text),
      action: notice.action,
      messageId: notice.kind === 'error' ? notice.messageId : undefined,
    };
  }

  return {
    banner,
    notify,
    showError,
    info(message: string): void {
      banner.value = { kind: 'info', message };
    },
    clearInfo(): void {
      if (banner.value?.kind === 'info') banner.value = null;
    },
    clear(): void {
      banner.value = null;
    },
  };
}
