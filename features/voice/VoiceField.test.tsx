import { signal } from '@preact/signals';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '@/features/settings/settings';
import type { VoiceSampleState } from '@/features/listening/read-out';
import type { PanelStore } from '../../panel/panel-store';
import { StoreContext } from '../../panel/store-context';
import { VoiceField } from './VoiceField';

const VOICES = {
  engine: 'piper',
  default: 'en_US-joe-medium',
  voices: [
    { id: 'en_US-joe-medium', name: 'Joe', language: 'en-us', engine: 'piper', accent: 'American', gender: 'male' },
    { id: 'bf_emma', name: 'Emma', language: 'en-gb', engine: 'kokoro', accent: 'British', gender: 'female' },
    { id: 'en-us', name: 'English (America)', language: 'en-us', engine: 'espeak' },
  ],
};

/** The companion's GET /voices: up (this list) or not running. */
function companion(up: { value: boolean }) {
  const fetchImpl = vi.fn<typeof fetch>(async () => {
    if (!up.value) throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify(VOICES));
  });
  vi.stubGlobal('fetch', fetchImpl);
  return fetchImpl;
}

/** What the Voice field reads of the panel's store. */
function fakeStore() {
  let n = 0;
  return {
    voiceSample: signal<VoiceSampleState | null>(null),
    playVoiceSample: vi.fn((_voice: { url: string; token: string; voice: string }): string | null => `sample-${++n}`),
    stopVoiceSample: vi.fn(),
  };
}

function renderField(settings: Partial<Settings> = {}) {
  const store = fakeStore();
  const draft = signal<Settings>({ ...DEFAULT_SETTINGS, ...settings });
  render(
    <StoreContext.Provider value={store as unknown as PanelStore}>
      <VoiceField draft={draft} />
    </StoreContext.Provider>,
  );
  return { store, draft };
}

const select = () => screen.getByRole('combobox', { name: 'Voice' }) as HTMLSelectElement;

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('Settings › Voice', () => {
  it('lists the companion’s voices by accent, "Name — engine, gender", the default marked, after "Default"', async () => {
    companion({ value: true });
    renderField();
    await waitFor(() => select());
    const groups = [...select().querySelectorAll('optgroup')].map((group) => [
      group.label,
      [...group.querySelectorAll('option')].map((option) => option.textContent),
    ]);
    expect(groups).toEqual([
      ['American English', ['Joe — Piper, male (the companion’s default)', 'English (America) — eSpeak']],
      ['British English', ['Emma — Kokoro, female']],
    ]);
    expect(select().options[0]!.textContent).toBe("Default (the companion's choice)");
    expect(select().value).toBe('');
    // Each neural engine's cost, read with the select.
    expect(document.getElementById(select().getAttribute('aria-describedby')!)!.textContent).toMatch(
      /Piper — natural, fast.*Kokoro — more natural, slower/,
    );
  });

  it('picking a voice keeps it and plays the sample in it, through the companion the form names', async () => {
    companion({ value: true });
    const { store, draft } = renderField({ companionUrl: 'http://127.0.0.1:9000/', companionToken: 'tok-12345' });
    await waitFor(() => select());
    fireEvent.change(select(), { target: { value: 'bf_emma' } });
    expect(draft.value.voice).toBe('bf_emma');
    expect(store.playVoiceSample).toHaveBeenCalledWith({
      url: 'http://127.0.0.1:9000',
      token: 'tok-12345',
      voice: 'bf_emma',
    });
  });

  it('shows "Playing sample…" with a labelled Stop while it plays, and why it failed with what to do', async () => {
    companion({ value: true });
    const { store } = renderField();
    await waitFor(() => select());
    fireEvent.change(select(), { target: { value: 'bf_emma' } });
    await act(() => {
      store.voiceSample.value = { id: 'sample-1', status: 'playing' };
    });
    expect(screen.getByText('Playing sample…')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Stop the voice sample' }));
    expect(store.stopVoiceSample).toHaveBeenCalledWith('sample-1');
    await act(() => {
      store.voiceSample.value = { id: 'sample-1', status: 'failed', detail: 'The voice server answered 500: boom.' };
    });
    expect(screen.queryByText('Playing sample…')).toBeNull();
    expect(screen.getByRole('alert').textContent).toBe(
      'The sample could not be played: The voice server answered 500: boom. Pick another voice, or look at the companion’s terminal for the reason.',
    );
    await act(() => {
      store.voiceSample.value = { id: 'sample-1', status: 'failed', detail: 'x', unreachable: true };
    });
    expect(screen.getByRole('alert').textContent).toContain('npm run companion');
  });

  it('says when the teacher or the learner is speaking and the sample cannot play now', async () => {
    companion({ value: true });
    const { store } = renderField();
    await waitFor(() => select());
    store.playVoiceSample.mockReturnValueOnce(null);
    fireEvent.change(select(), { target: { value: 'bf_emma' } });
    expect(screen.getByRole('alert').textContent).toContain('when the turn is over');
  });

  it('with the companion unreachable: says so with Retry and keeps the saved voice in a text field; Retry brings the list, the saved voice still chosen', async () => {
    const up = { value: false };
    companion(up);
    const { draft } = renderField({ voice: 'en-gb+f3' });
    await waitFor(() => screen.getByRole('button', { name: 'Ask the companion for its voices again' }));
    expect(screen.getByRole('alert').textContent).toContain('npm run companion');
    const typed = screen.getByRole('textbox', { name: 'Voice' }) as HTMLInputElement;
    expect(typed.value).toBe('en-gb+f3');
    fireEvent.input(typed, { target: { value: 'en-gb+f4' } });
    expect(draft.value.voice).toBe('en-gb+f4');
    up.value = true;
    fireEvent.click(screen.getByRole('button', { name: 'Ask the companion for its voices again' }));
    await waitFor(() => select());
    expect(select().value).toBe('en-gb+f4');
    expect(select().selectedOptions[0]!.textContent).toBe('en-gb+f4 (not offered by the companion now)');
    expect(draft.value.voice).toBe('en-gb+f4');
  });
});
