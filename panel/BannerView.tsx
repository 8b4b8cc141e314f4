import { browser } from 'wxt/browser';
import { t } from '@/core/i18n';
import { useStore } from './store-context';

/** Errors and notices, each with what the learner can do about it. */
export function BannerView({ onOpenSettings }: { onOpenSettings(): void }) {
  const store = useStore();
  const banner = store.banner.value;
  if (!banner) return null;
  const retryId = banner.messageId;
  return (
    <div class={`banner banner-${banner.kind}`} role={banner.kind === 'error' ? 'alert' : 'status'}>
      <p>{banner.message}</p>
      <div class="banner-actions">
        {banner.action === 'retry' && retryId && (
          <button type="button" onClick={() => store.retry(retryId)}>
            {t('banner.retry')}
          </button>
        )}
        {banner.action === 'retry-save' && (
          <button type="button" onClick={store.retrySave}>
            {t('banner.retry')}
          </button>
        )}
        {banner.action === 'settings' && (
          <button type="button" onClick={onOpenSettings}>
            {t('banner.openSettings')}
          </button>
        )}
        {banner.action === 'microphone' && (
          <button
            type="button"
            onClick={() => {
              // The permission page explains, asks, or says how to unblock a denied microphone.
              browser.tabs.create({ url: browser.runtime.getURL('/permission.html') }).catch((error: unknown) => {
                console.error('AITalk: could not open the microphone page', error);
              });
            }}
          >
            {t('banner.allowMicrophone')}
          </button>
        )}
        <button type="button" class="quiet" aria-label={t('banner.dismiss')} onClick={store.dismissBanner}>
          ×
        </button>
      </div>
    </div>
  );
}
