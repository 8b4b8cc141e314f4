import { describe, expect, it } from 'vitest';
import { fakeHistory, recordEvents } from './testing/turn-fakes';
import { createUnsavedMessages } from './unsaved-messages';

/** Messages whose write failed: said once, written again on Retry. */

const message = (id: string) => ({
  id,
  conversationId: 'c1',
  role: 'user' as const,
  text: 'Yesterday I go to the park.',
  status: 'done' as const,
  createdAt: 1,
  timings: {},
});

describe('messages that could not be saved', () => {
  it('are written again on Retry, all of them, and a write that fails again is said again', async () => {
    const history = fakeHistory();
    const events = recordEvents();
    const unsaved = createUnsavedMessages(history.store, events.dispatch);
    history.messages.value = [message('u1'), { ...message('r1'), role: 'assistant' }];
    const full = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    unsaved.failed('u1', full);
    unsaved.failed('r1', full);
    expect(events.events).toEqual([
      { type: 'not-saved', messageId: 'u1', error: full },
      { type: 'not-saved', messageId: 'r1', error: full },
    ]);
    history.failWrites((m) => (m.id === 'r1' ? full : null));
    await unsaved.saveAgain();
    expect(history.storedOf('u1')).toMatchObject({ text: 'Yesterday I go to the park.' });
    expect(events.events.at(-1)).toEqual({ type: 'not-saved', messageId: 'r1', error: full });
    history.failWrites(null);
    await unsaved.saveAgain();
    expect(history.stored.map((m) => m.id)).toEqual(['u1', 'r1']);
  });

  it('of a conversation that was left are not written by this panel any more', async () => {
    const history = fakeHistory();
    const unsaved = createUnsavedMessages(history.store, recordEvents().dispatch);
    history.messages.value = [message('u1')];
    unsaved.failed('u1', new Error('full'));
    history.messages.value = [];
    await unsaved.saveAgain();
    history.messages.value = [message('u1')];
    await unsaved.saveAgain();
    expect(history.stored).toEqual([]);
  });
});
