import { signal } from '@preact/signals';
import { ApiProblem, noKeyMessage } from '@/core/api-errors';
import { t } from '@/core/i18n';
import { describeStorageError } from '@/core/storage-errors';
import type { Notice, NoticeText } from '../features/talk/turn-machine';

/** The one message line at the top of the panel: an error or a notice, and what to do about it. */
export interface Banner {
  kind: 'error' | 'info';
  message: string;
  /**
   * What the learner can do about it, shown as a button: retry the turn, open the settings (only
   * when a setting can fix it), or allow the microphone.
   */
  action?: 'retry' | 'retry-save' | 'settings' | 'microphone';
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
        return noKeyMessage();
      case 'permission-needed':
        return t('banner.permissionNeeded');
      case 'permission-denied':
        return t('banner.permissionDenied');
      case 'no-microphone':
        return t('banner.noMicrophone');
      case 'busy-elsewhere':
        return t('banner.busyElsewhere');
      case 'mic-error':
        return t('banner.micError', { detail: text.detail });
      case 'mic-stopped':
        return t('banner.micStopped', { detail: text.detail });
      case 'attempt-mic-stopped':
        return t('banner.attemptMicStopped', { detail: text.detail });
      case 'recording-failed':
        return t('banner.recordingFailed', { detail: text.detail });
      case 'heard-nothing':
        return t('banner.heardNothing');
      case 'no-words':
        return t('banner.noWords');
      case 'still-working':
        return t('banner.stillWorking');
      case 'hands-free-paused':
        return t('banner.handsFreePaused');
      case 'hands-free-idle':
        return t('banner.handsFreeIdle');
      case 'microphone-allowed':
        return t('banner.microphoneAllowed');
      case 'companion-unreachable':
        return t('banner.companionUnreachable', { url: companionUrl() });
      case 'companion-failed':
        return t('banner.companionFailed', { detail: text.detail });
      case 'not-saved':
        return t('banner.notSaved', { detail: describeStorageError(text.error) ?? errorText(text.error) });
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
