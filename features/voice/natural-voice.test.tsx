import { act, cleanup, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NaturalVoiceStatus } from '@/core/companion-client';
import { createNaturalVoiceWatch, NATURAL_VOICE_POLL_MS } from './natural-voice';
import { NaturalVoiceNoticeView } from './NaturalVoiceNoticeView';

const fetching = (percent: number | null): NaturalVoiceStatus => ({
  state: 'fetching',
  engine: 'piper',
  voice: 'en_US-joe-medium',
  percent,
  message: null,
});
const ready: NaturalVoiceStatus = { ...fetching(null), state: 'ready' };

/** A panel's document whose visibility the test sets. */
function fakePage() {
  const listeners = new Set<() => void>();
  return {
    visibilityState: 'visible' as DocumentVisibilityState,
    addEventListener: (_type: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_type: string, listener: () => void) => listeners.delete(listener),
    set(state: DocumentVisibilityState) {
      this.visibilityState = state;
      for (const listener of listeners) listener();
    },
  };
}

/** The companion's /health answers, one per request, the last one repeated. */
function companionSaying(...answers: Array<NaturalVoiceStatus | null>) {
  return vi.fn(async () => (answers.length > 1 ? answers.shift()! : answers[0]!));
}

function setUp(fetchStatus: ReturnType<typeof companionSaying>) {
  const page = fakePage();
  const watch = createNaturalVoiceWatch({
    companion: () => ({ url: 'http://127.0.0.1:8730', token: '' }),
    fetchStatus,
    page: page as unknown as Document,
  });
  function Shown() {
    return (
      <NaturalVoiceNoticeView notice={watch.notice.value} announce={watch.announcement.value} onHide={watch.hide} />
    );
  }
  render(<Shown />);
  return { watch, page };
}

/** Lets the next poll run and its answer arrive. */
async function nextPoll(): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(NATURAL_VOICE_POLL_MS);
  });
}

const notice = () => document.querySelector('.voice-notice')?.textContent ?? null;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('the natural voice’s fetch notice', () => {
  it('shows the percentage as it grows, and is gone once the voice is ready', async () => {
    const fetchStatus = companionSaying(fetching(34), fetching(71), ready);
    const { watch } = setUp(fetchStatus);
    await act(async () => {
      watch.start();
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(notice()).toBe('The natural voice is being fetched (34 %). eSpeak speaks until it is ready.');
    await nextPoll();
    expect(notice()).toContain('(71 %)');
    await nextPoll();
    expect(notice()).toBeNull();
    // Ready: nothing more is asked.
    const asked = fetchStatus.mock.calls.length;
    await nextPoll();
    await nextPoll();
    expect(fetchStatus.mock.calls.length).toBe(asked);
    watch.dispose();
  });

  it('asks once and no more when the voice is ready, or the companion has no natural voice', async () => {
    for (const answer of [ready, null]) {
      const fetchStatus = companionSaying(answer);
      const { watch } = setUp(fetchStatus);
      await act(async () => {
        watch.start();
        await vi.advanceTimersByTimeAsync(NATURAL_VOICE_POLL_MS * 5);
      });
      expect(fetchStatus).toHaveBeenCalledTimes(1);
      expect(notice()).toBeNull();
      watch.dispose();
      cleanup();
    }
  });

  it('stops asking while the panel is hidden, and asks again when it shows', async () => {
    const fetchStatus = companionSaying(fetching(10), fetching(20), fetching(60));
    const { watch, page } = setUp(fetchStatus);
    await act(async () => {
      watch.start();
      await vi.advanceTimersByTimeAsync(0);
    });
    page.set('hidden');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(NATURAL_VOICE_POLL_MS * 10);
    });
    expect(fetchStatus).toHaveBeenCalledTimes(1);
    await act(async () => {
      page.set('visible');
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(fetchStatus).toHaveBeenCalledTimes(2);
    expect(notice()).toContain('(20 %)');
    watch.dispose();
    await nextPoll();
    expect(fetchStatus).toHaveBeenCalledTimes(2);
  });

  it('says "loading" without a percentage, and a failure with the companion’s reason and what to do, which the learner can hide', async () => {
    const failed: NaturalVoiceStatus = {
      ...fetching(null),
      state: 'failed',
      message: 'The download of en_US-joe-medium.onnx failed its checksum',
    };
    const fetchStatus = companionSaying({ ...fetching(null), state: 'loading' }, failed);
    const { watch } = setUp(fetchStatus);
    await act(async () => {
      watch.start();
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(notice()).toBe('The natural voice is loading. eSpeak speaks until it is ready.');
    await nextPoll();
    expect(notice()).toContain('failed its checksum.');
    expect(notice()).toContain('Restart the companion');
    expect(screen.getByRole('status').textContent).toContain('failed its checksum');
    await act(async () => {
      screen.getByRole('button', { name: 'Hide this notice' }).click();
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(notice()).toBeNull();
    watch.dispose();
  });

  it('tells a screen reader each state once, not every new percentage', async () => {
    const fetchStatus = companionSaying(fetching(5), fetching(50));
    const { watch } = setUp(fetchStatus);
    await act(async () => {
      watch.start();
      await vi.advanceTimersByTimeAsync(0);
    });
    const live = screen.getByRole('status');
    const first = live.textContent;
    expect(first).toBe('The natural voice is being fetched. eSpeak speaks until it is ready.');
    await nextPoll();
    expect(notice()).toContain('(50 %)');
    expect(live.textContent).toBe(first);
    watch.dispose();
  });
});
