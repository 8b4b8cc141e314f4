import { useStore } from './store-context';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Past conversations: open one to continue it, or delete it. */
export function HistoryList({ onOpened }: { onOpened(): void }) {
  const store = useStore();
  const list = store.conversations.value;
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">Past conversations</h2>
      {list.length === 0 ? (
        <p class="empty">No conversations yet.</p>
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
                <span class="history-title">{conversation.title}</span>
                {conversation.pages?.length ? (
                  <span class="history-page">
                    About: {conversation.pages.map((page) => page.title || page.url).join(' · ')}
                  </span>
                ) : null}
                <span class="history-date">{dateFormat.format(conversation.updatedAt)}</span>
              </button>
              <button
                type="button"
                class="quiet"
                disabled={store.turnInProgress.value}
                aria-label={`Delete “${conversation.title}”`}
                onClick={() => {
                  if (confirm(`Delete “${conversation.title}” and its recordings?`)) {
                    void store.deleteConversation(conversation.id);
                  }
                }}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
