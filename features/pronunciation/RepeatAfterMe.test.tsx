import { signal } from '@preact/signals';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '@/core/db/schema';
import { refusal, type PronunciationJudgement } from '@/core/pronunciation';
import { DEFAULT_SETTINGS } from '@/features/settings/settings';
import type { PracticeResult } from '../talk/practice-attempts';
import type { PracticeTarget } from '../talk/turn-machine';
import type { PanelStore } from '../../panel/panel-store';
import { StoreContext } from '../../panel/store-context';
import { RepeatAfterMeSlot } from './RepeatAfterMe';

const REPLY = 'Mr. Smith went to Paris last year. Did you like it? Tell me about your trip.';
const message = (role: Message['role'], status: Message['status'] = 'done'): Message => ({
  id: 'a1',
  conversationId: 'c1',
  role,
  text: REPLY,
  status,
  createdAt: 1,
  timings: {},
});

function fakeStore() {
  return {
    phase: signal('idle'),
    settings: signal(DEFAULT_SETTINGS),
    practice: signal<PracticeTarget | null>(null),
    attempts: signal<Record<string, PracticeResult>>({}),
    practise: vi.fn(),
    listenTo: vi.fn(),
    playAttemptWord: vi.fn(async () => undefined),
  };
}

function renderSlot(store: ReturnType<typeof fakeStore>, m: Message = message('assistant')) {
  return render(
    <StoreContext.Provider value={store as unknown as PanelStore}>
      <RepeatAfterMeSlot message={m} />
    </StoreContext.Provider>,
  );
}

const open = () => fireEvent.click(screen.getByRole('button', { name: 'Repeat after me' }));
const sentence = (container: Element) => container.querySelector('.repeat-sentence')?.textContent;

function judged(target: PracticeTarget, pronunciation: PronunciationJudgement): Record<string, PracticeResult> {
  return { [target.id]: { target, said: '', pronunciation, durationMs: 1500, at: 1 } };
}

afterEach(cleanup);

describe('Repeat after me', () => {
  it('is offered under a finished teacher reply only', () => {
    const store = fakeStore();
    renderSlot(store, message('user'));
    renderSlot(store, message('assistant', 'streaming'));
    expect(screen.queryByRole('button', { name: 'Repeat after me' })).toBeNull();
    renderSlot(store);
    expect(screen.getByRole('button', { name: 'Repeat after me' }).getAttribute('aria-expanded')).toBe('false');
  });

  it('under an interrupted reply, offers only the sentences heard to their end, not the one cut off', () => {
    const store = fakeStore();
    const interrupted: Message = {
      ...message('assistant', 'interrupted'),
      text: 'Mr. Smith went to Paris last year. Did you like it?',
      spokenWhole: 'Mr. Smith went to Paris last year.',
      fullText: REPLY,
    };
    const { container } = renderSlot(store, interrupted);
    open();
    expect(screen.getByText('Sentence 1 of 1')).toBeTruthy();
    expect(sentence(container)).toBe('Mr. Smith went to Paris last year.');
    expect((screen.getByRole('button', { name: 'Next sentence' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('is not offered under a reply interrupted before a whole sentence was heard, nor for an opening clause', () => {
    const store = fakeStore();
    const cut = (text: string, spokenWhole: string): Message => ({
      ...message('assistant', 'interrupted'),
      text,
      spokenWhole,
    });
    renderSlot(store, cut('Mr. Smith went to Paris', ''));
    // The voice may speak a long first sentence's opening clause on its own: heard to its end, it is still a fragment.
    renderSlot(store, cut('You said: “I go there yesterday.”', 'You said:'));
    expect(screen.queryByRole('button', { name: 'Repeat after me' })).toBeNull();
  });

  it('under a reply interrupted before the whole sentences were kept, leaves out the last one heard', () => {
    const store = fakeStore();
    const older: Message = {
      ...message('assistant', 'interrupted'),
      text: 'Mr. Smith went to Paris last year. Did you',
    };
    const { container } = renderSlot(store, older);
    open();
    expect(screen.getByText('Sentence 1 of 1')).toBeTruthy();
    expect(sentence(container)).toBe('Mr. Smith went to Paris last year.');
  });

  it('goes through the reply sentence by sentence, and says each one in the teacher’s voice on Listen', () => {
    const store = fakeStore();
    const { container } = renderSlot(store);
    open();
    expect(screen.getByText('Sentence 1 of 3')).toBeTruthy();
    expect(sentence(container)).toBe('Mr. Smith went to Paris last year.');
    expect((screen.getByRole('button', { name: 'Previous sentence' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Listen' }));
    expect(store.listenTo).toHaveBeenLastCalledWith('Mr. Smith went to Paris last year.');
    fireEvent.click(screen.getByRole('button', { name: 'Next sentence' }));
    fireEvent.click(screen.getByRole('button', { name: 'Next sentence' }));
    expect(screen.getByText('Sentence 3 of 3')).toBeTruthy();
    expect(sentence(container)).toBe('Tell me about your trip.');
    expect((screen.getByRole('button', { name: 'Next sentence' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Previous sentence' }));
    expect(sentence(container)).toBe('Did you like it?');
  });

  it('records the sentence as a repeat attempt, and shows how it sounded, each word playable', async () => {
    const store = fakeStore();
    renderSlot(store);
    open();
    fireEvent.click(screen.getByRole('button', { name: 'Next sentence' }));
    fireEvent.click(screen.getByRole('button', { name: 'Say it' }));
    const target = { id: 'repeat:a1:1', kind: 'repeat', text: 'Did you like it?' };
    expect(store.practise).toHaveBeenCalledWith(target);
    await act(() => {
      store.practice.value = target as PracticeTarget;
      store.phase.value = 'recording';
    });
    expect(screen.getByRole('button', { name: 'Stop' }).getAttribute('aria-pressed')).toBe('true');
    expect((screen.getByRole('button', { name: 'Next sentence' }) as HTMLButtonElement).disabled).toBe(true);
    await act(() => {
      store.practice.value = null;
      store.phase.value = 'idle';
      store.attempts.value = judged(target as PracticeTarget, {
        kind: 'judged',
        score: 81,
        words: ['Did', 'you', 'like', 'it'].map((text, i) => ({
          text,
          verdict: i === 2 ? 'unclear' : 'good',
          start: i * 0.3,
          end: i * 0.3 + 0.3,
          score: i === 2 ? 45 : 90,
          phones: [],
        })),
        soundsToWorkOn: [{ sound: 'l', ipa: 'l', word: 'like', heardInstead: 'n', kind: 'substituted' }],
        elapsedMs: 120,
      });
    });
    expect(screen.getByRole('status').textContent).toBe('Pronunciation: 81 / 100');
    fireEvent.click(screen.getByRole('button', { name: 'like — unclear. Play your recording and the teacher’s' }));
    expect(store.playAttemptWord).toHaveBeenCalledWith('repeat:a1:1', 2);
    // The first sentence has no attempt of its own.
    fireEvent.click(screen.getByRole('button', { name: 'Previous sentence' }));
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('shows a refusal’s message instead of a score', () => {
    const store = fakeStore();
    store.attempts.value = judged(
      { id: 'repeat:a1:0', kind: 'repeat', text: 'Mr. Smith went to Paris last year.' },
      refusal('silent'),
    );
    renderSlot(store);
    open();
    expect(screen.getByRole('alert').textContent).toMatch(/^Nothing was heard\./);
  });

  it('waits while a turn or another attempt uses the microphone', async () => {
    const store = fakeStore();
    renderSlot(store);
    open();
    await act(() => {
      store.practice.value = { id: 'card:u1', kind: 'say-again', text: 'I went home.' };
      store.phase.value = 'recording';
    });
    expect((screen.getByRole('button', { name: 'Say it' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Listen' }) as HTMLButtonElement).disabled).toBe(true);
    await act(() => {
      store.practice.value = null;
      store.phase.value = 'thinking';
    });
    expect((screen.getByRole('button', { name: 'Listen' }) as HTMLButtonElement).disabled).toBe(true);
    await act(() => {
      store.phase.value = 'idle';
    });
    expect((screen.getByRole('button', { name: 'Say it' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('takes the focus when opened; Escape or Close closes it and gives the focus back to its button', () => {
    renderSlot(fakeStore());
    open();
    const region = screen.getByRole('region', { name: 'Repeat after me, sentence by sentence' });
    expect(document.activeElement).toBe(region);
    expect(screen.getByRole('button', { name: 'Repeat after me' }).getAttribute('aria-expanded')).toBe('true');
    fireEvent.keyDown(screen.getByRole('button', { name: 'Listen' }), { key: 'Escape' });
    expect(screen.queryByRole('region')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Repeat after me' }));
    open();
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('region')).toBeNull();
  });
});
