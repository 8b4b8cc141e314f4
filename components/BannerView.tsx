import { useStore } from './store-context';

/** Errors and notices, each with what the learner can do about it. */
export function BannerView({ onOpenSettings }: { onOpenSettings(): void }) {
  const store = useStore();
  const banner = store.banner.value;
  if (!banner) return null;
  return (
    <div class={`banner banner-${banner.kind}`} role={banner.kind === 'error' ? 'alert' : 'status'}>
      <p>{banner.message}</p>
      <div class="banner-actions">
        {banner.action === 'retry' && banner.messageId && (
          <button type="button" onClick={() => void store.retry(banner.messageId!)}>
            Retry
          </button>
        )}
        {banner.action === 'settings' && (
          <button type="button" onClick={onOpenSettings}>
            Open settings
          </button>
        )}
        <button type="button" class="quiet" aria-label="Dismiss message" onClick={store.dismissBanner}>
          ×
        </button>
      </div>
    </div>
  );
}
