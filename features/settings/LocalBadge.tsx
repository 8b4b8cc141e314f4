import { t } from '@/core/i18n';
import type { Settings } from '@/features/settings/settings';
import { serversLeaving } from '@/features/settings/this-computer';

type Servers = Pick<Settings, 'apiBaseUrl' | 'transcriptionUrl' | 'companionUrl'>;

/**
 * The panel's line under its header when every server in use is on this computer. It says nothing otherwise:
 * which server is elsewhere is for Settings (LocalityNote), not something to remind the learner of at each turn.
 */
export function LocalBadge({ settings }: { settings: Servers }) {
  if (serversLeaving(settings).length > 0) return null;
  return (
    <p class="local-badge" role="note" aria-label={t('local.nothingLeavesLabel')}>
      {t('local.nothingLeaves')}
    </p>
  );
}

/** In Settings, for the settings as typed: that nothing leaves this computer, or what leaves it and where to. */
export function LocalityNote({ settings }: { settings: Servers }) {
  const leaving = serversLeaving(settings);
  if (leaving.length === 0) {
    return (
      <p class="help locality" id="locality">
        {t('local.nothingLeavesSettings')}
      </p>
    );
  }
  return (
    <div class="help locality" id="locality">
      <p>{t('local.leaves')}</p>
      <ul>
        {leaving.map((server) => (
          <li key={server.role}>{t(`local.role.${server.role}`, { host: server.host })}</li>
        ))}
      </ul>
      <p>{t('local.leavesHint')}</p>
    </div>
  );
}
