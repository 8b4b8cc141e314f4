import { signal } from '@preact/signals';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Conversation, Message } from '@/core/db/schema';
import type { CorrectionCardState } from '@/features/corrections/CorrectionCard';
import { DEFAULT_SETTINGS } from '@/features/settings/settings';
import type { PanelStore } from '../../panel/panel-store';
import { StoreContext } from '../../panel/store-context';
import { MessageList } from './MessageList';

const conversationOf = (id: string): Conversation => ({ id, title: `Conversation ${id}`, createdAt: 0, updatedAt: 0 });

/** A conversation of `turns` turns: the learner's sentence `n`, then the teacher's answer `n`. */
function turnsOf(conversationId: string, turns: number): Message[] {
  return Array.from({ length: turns }, (_, n) => [
    {
      id: `${conversationId}-u${n}`,
      conversationId,
      role: 'user' as const,
      text: `${conversationId} sentence ${n}`,
      status: 'done' as const,
      createdAt: 2 * n,
      timings: {},
    },
    {
      id: `${conversationId}-a${n}`,
      conversationId,
      role: 'assistant' as const,
      text: `${conversationId} answer ${n}`,
      status: 'done' as const,
      createdAt: 2 * n + 1,
      timings: { chatSentAt: 0, firstTokenAt: 10 },
    },
  ]).flat();
}

/** Every learner sentence has its correction card, as after a session with the corrections lane. */
function cardsOf(messages: Message[]): Record<string, CorrectionCardState> {
  const cards: Record<string, CorrectionCardState> = {};
  for (const m of messages.filter((m) => m.role === 'user')) {
    cards[m.id] = {
      status: 'done',
      check: { sentence: m.text, corrections: [], natural: m.text, dismissed: [], misheard: false },
    };
  }
  return cards;
}

/**
 * What the conversation view reads of the panel's store. Like the history, it keeps only the last
 * 60 messages in memory; "Show earlier messages" brings the previous 40 back.
 */
function fakeStore(conversationId: string, turns: number) {
  const all = turnsOf(conversationId, turns);
  const messages = signal(all.slice(-60));
  const earlierMessages = signal(all.length - messages.value.length);
  return {
    ready: signal(true),
    hasKey: signal(true),
    phase: signal('idle'),
    settings: signal(DEFAULT_SETTINGS),
    conversation: signal<Conversation | null>(conversationOf(conversationId)),
    messages,
    earlierMessages,
    showEarlier: vi.fn(async () => {
      const from = Math.max(0, earlierMessages.value - 40);
      messages.value = [...all.slice(from, earlierMessages.value), ...messages.value];
      earlierMessages.value = from;
    }),
    cards: signal(cardsOf(all)),
    practice: signal(null),
    attempts: signal({}),
  };
}

function renderList(store: ReturnType<typeof fakeStore>) {
  return render(
    <StoreContext.Provider value={store as unknown as PanelStore}>
      <MessageList />
    </StoreContext.Provider>,
  );
}

const shownMessages = () =>
  [...document.querySelectorAll('li.message')].map((li) => li.querySelector('.message-text')!.textContent);
const earlierButton = () => screen.queryByRole('button', { name: /^Show earlier messages/ });

/**
 * Presses "Show earlier messages" and lets the store bring them: until the list has grown and the effect that
 * moves focus to the first revealed message has run (on a busy machine that can take more than one tick).
 */
async function showEarlier(): Promise<void> {
  const before = shownMessages().length;
  await act(async () => {
    fireEvent.click(earlierButton()!);
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  await waitFor(() => {
    expect(shownMessages().length).toBeGreaterThan(before);
    expect(document.activeElement?.matches('li.message')).toBe(true);
  });
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('a long conversation', () => {
  it('shows only its recent messages, reveals earlier ones on request, and starts again from the recent part in another conversation', async () => {
    const scrolledTo: Element[] = [];
    vi.spyOn(HTMLElement.prototype, 'scrollIntoView').mockImplementation(function (this: HTMLElement) {
      scrolledTo.push(this);
    });
    const store = fakeStore('c1', 100);
    renderList(store);
    const end = document.querySelector('section > div:last-child')!;
    expect(scrolledTo).toEqual([end]);

    // 200 messages, 140 of them left in IndexedDB: only the last 40 are rendered, with their
    // correction cards; the newest is there, and the button counts every message not shown.
    expect(shownMessages()).toHaveLength(40);
    expect(shownMessages().at(-1)).toBe('c1 answer 99');
    expect(shownMessages()[0]).toBe('c1 sentence 80');
    expect(document.querySelectorAll('.correction-slot')).toHaveLength(20);
    expect(earlierButton()?.textContent).toBe('Show earlier messages (160)');

    // Pressing it (a <button>, so Enter and Space press it too) shows 40 more, and focus goes to
    // the first of them, where the learner reads on.
    await showEarlier();
    expect(store.showEarlier).toHaveBeenCalledTimes(1);
    expect(shownMessages()).toHaveLength(80);
    expect(shownMessages()[0]).toBe('c1 sentence 60');
    expect(earlierButton()?.textContent).toBe('Show earlier messages (120)');
    expect(document.activeElement?.querySelector('.message-text')?.textContent).toBe('c1 sentence 60');
    // Reading back does not jump to the newest message; a new turn still does.
    expect(scrolledTo).toHaveLength(1);

    // A new turn keeps the revealed ones on show, and is shown itself.
    await act(() => {
      store.messages.value = [...store.messages.value, ...turnsOf('c1', 101).slice(-2)];
    });
    expect(shownMessages()).toHaveLength(80);
    expect(shownMessages().at(-1)).toBe('c1 answer 100');
    expect(scrolledTo).toEqual([end, end]);

    for (let press = 0; press < 3; press++) await showEarlier();
    expect(earlierButton()?.textContent).toBe('Show earlier messages (2)');
    await showEarlier();
    expect(shownMessages()).toHaveLength(202);
    expect(shownMessages()[0]).toBe('c1 sentence 0');
    expect(earlierButton()).toBeNull();

    // Another conversation opens at its recent part again.
    const other = turnsOf('c2', 100);
    await act(() => {
      store.conversation.value = conversationOf('c2');
      store.messages.value = other.slice(-60);
      store.earlierMessages.value = 140;
      store.cards.value = cardsOf(other);
    });
    expect(shownMessages()).toHaveLength(40);
    expect(shownMessages().at(-1)).toBe('c2 answer 99');
    expect(earlierButton()?.textContent).toBe('Show earlier messages (160)');

    // One that fits is shown whole, with no button.
    await act(() => {
      store.conversation.value = conversationOf('c3');
      store.messages.value = turnsOf('c3', 20);
      store.earlierMessages.value = 0;
    });
    expect(shownMessages()).toHaveLength(40);
    expect(shownMessages()[0]).toBe('c3 sentence 0');
    expect(earlierButton()).toBeNull();
  });
});
