import { t } from '@/core/i18n';
import type { NaturalVoiceNotice } from './natural-voice';

/**
 * The natural voice's progress under the panel's header, or why it failed and what to do. The
 * percentage changes every few seconds; a screen reader hears the notice when it appears and when
 * its kind changes, not each new percentage (the live region holds only `announce`).
 */
export function NaturalVoiceNoticeView({
  notice,
  announce,
  onHide,
}: {
  notice: NaturalVoiceNotice | null;
  announce: string;
  onHide(): void;
}) {
  return (
    <>
      <p class="visually-hidden" role="status">
        {announce}
      </p>
      {notice && (
        <div class={`voice-notice voice-notice-${notice.kind}`}>
          <p>{notice.text}</p>
          {notice.kind === 'error' && (
            <button type="button" class="quiet" aria-label={t('voice.hideNotice')} onClick={onHide}>
              ×
            </button>
          )}
        </div>
      )}
    </>
  );
}
