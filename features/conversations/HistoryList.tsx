import { currentLanguageTag, t } from '@/core/i18n';
import { useStore } from '../../panel/store-context';
import { titleOf } from './conversation-title';

/** Past conversations: open one to continue it, or delete it. */
export function HistoryList({ onOpened }: { onOpened(): void }) {
  const store = useStore();
  const list = store.conversations.value;
  const dateFormat = new Intl.DateTimeFormat(currentLanguageTag(), { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">{t('history.heading')}</h2>
      {list.length === 0 ? (
        <p class="empty">{t('history.empty')}</p>
      ) : (
        <ul class="history">
          {list.map((conversation) => (
            <li key={conversation.id} aria-current={conversation.id === store.conversation.value?.id}>
              <button
                type="button"
                class="history-open"
                disabled={store.turnInProgress.value}
                onClick={() => void store.openConversation(conversation.id).then(onOpened)}
              >
                <span class="history-title">{titleOf(conversation)}</span>
                {conversation.pages?.length ? (
                  <span class="history-page">
                    {t('history.about', {
                      pages: conversation.pages.map((page) => page.title || page.url).join(' · '),
                    })}
                  </span>
                ) : null}
                <span class="history-date">{dateFormat.format(conversation.updatedAt)}</span>
              </button>
              <button
                type="button"
                class="quiet"
                disabled={store.turnInProgress.value}
                aria-label={t('history.deleteLabel', { title: titleOf(conversation) })}
                onClick={() => {
                  if (confirm(t('history.deleteConfirm', { title: titleOf(conversation) }))) {
                    void store.deleteConversation(conversation.id);
                  }
                }}
              >
                {t('history.delete')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
