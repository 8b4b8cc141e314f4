import { useSignal, type Signal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { fetchVoices, type CompanionVoices, type VoicesResult } from '@/core/companion-client';
import { t } from '@/core/i18n';
import { DEFAULT_SETTINGS, normaliseUrl, type Settings } from '@/features/settings/settings';
import type { VoiceSampleState } from '@/features/listening/read-out';
import { useStore } from '../../panel/store-context';
import { engineCostNotes, groupVoices } from './voice-options';

type ListState = { status: 'asking' } | VoicesResult;

/** The companion the form names now (typed, perhaps not saved yet), as Test connection reaches it. */
function companionOf(settings: Settings): { url: string; token: string } {
  return { url: normaliseUrl(settings.companionUrl) || DEFAULT_SETTINGS.companionUrl, token: settings.companionToken };
}

function sampleProblem(sample: VoiceSampleState, url: string): string {
  if (sample.unreachable) return t('voice.sampleUnreachable', { url });
  return t('voice.sampleFailed', { detail: (sample.detail ?? '').replace(/[.\s]+$/, '') });
}

/**
 * Settings › Voice: the companion's voices grouped by accent, a sample on pick (through the
 * teacher's own voice path, so what is heard is what the teacher will sound like), and the cost of
 * each neural engine. When the list cannot be had, a text field keeps the saved voice editable.
 */
export function VoiceField({ draft }: { draft: Signal<Settings> }) {
  const store = useStore();
  const list = useSignal<ListState>({ status: 'asking' });
  /** The sample this field started (another view's read-out is not ours to show). */
  const sampleId = useSignal<string | null>(null);
  /** The last pick found the learner or the teacher speaking. */
  const busy = useSignal(false);
  const playing = useRef<string | null>(null);

  async function load(): Promise<void> {
    list.value = { status: 'asking' };
    const { url, token } = companionOf(draft.value);
    list.value = await fetchVoices(url, token);
  }

  useEffect(() => {
    void load();
    // Leaving Settings silences a sample still playing.
    return () => {
      if (playing.current) store.stopVoiceSample(playing.current);
    };
  }, []);

  const sample = sampleId.value && store.voiceSample.value?.id === sampleId.value ? store.voiceSample.value : null;
  playing.current = sample?.status === 'playing' ? sample.id : null;

  function play(voice: string): void {
    const id = store.playVoiceSample({ ...companionOf(draft.value), voice });
    busy.value = id === null;
    sampleId.value = id;
  }

  function pick(voice: string): void {
    draft.value = { ...draft.value, voice };
    play(voice);
  }

  const voice = draft.value.voice;
  const state = list.value;
  return (
    <div class="voice-field">
      <label for="voice">{t('settings.voice')}</label>
      {state.status === 'ok' ? (
        <VoiceSelect list={state.list} value={voice} onPick={pick} />
      ) : (
        <input
          id="voice"
          value={voice}
          placeholder={t('settings.voicePlaceholder')}
          onInput={(e) => (draft.value = { ...draft.value, voice: e.currentTarget.value })}
        />
      )}
      {state.status === 'asking' && (
        <p class="help" role="status">
          {t('voice.asking')}
        </p>
      )}
      {state.status !== 'asking' && state.status !== 'ok' && (
        <div class="voice-unavailable" role="alert">
          <p>{t('voice.unavailable', { reason: state.message })}</p>
          <button type="button" aria-label={t('voice.retryLabel')} onClick={() => void load()}>
            {t('voice.retry')}
          </button>
        </div>
      )}
      <div class="voice-sample">
        {sample?.status === 'playing' ? (
          <>
            <span role="status">{t('voice.playing')}</span>
            <button type="button" aria-label={t('voice.stopLabel')} onClick={() => store.stopVoiceSample(sample.id)}>
              {t('voice.stop')}
            </button>
          </>
        ) : (
          <button type="button" onClick={() => play(voice)}>
            {t('voice.hear')}
          </button>
        )}
      </div>
      {sample?.status === 'failed' && (
        <p class="voice-sample-error" role="alert">
          {sampleProblem(sample, companionOf(draft.value).url)}
        </p>
      )}
      {busy.value && (
        <p class="voice-sample-error" role="alert">
          {t('voice.sampleBusy')}
        </p>
      )}
    </div>
  );
}

/** The select itself: "Default", a saved voice the companion no longer offers, then the accents' groups. */
function VoiceSelect({ list, value, onPick }: { list: CompanionVoices; value: string; onPick(voice: string): void }) {
  const offered = list.voices.some((voice) => voice.id === value);
  const notes = engineCostNotes(list);
  const attribution = list.voices.find((voice) => voice.id === (value || list.defaultVoice))?.attribution;
  return (
    <>
      <select
        id="voice"
        value={value}
        aria-describedby={notes.length || attribution ? 'voice-notes' : undefined}
        onChange={(e) => onPick(e.currentTarget.value)}
      >
        <option value="">{t('voice.default')}</option>
        {value && !offered && <option value={value}>{t('voice.notOffered', { voice: value })}</option>}
        {groupVoices(list).map((group) => (
          <optgroup key={group.accent} label={group.label}>
            {group.options.map((option) => (
              <option key={option.id} value={option.id}>
                {option.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      {(notes.length > 0 || attribution) && (
        <div id="voice-notes" class="help">
          {notes.map((note) => (
            <p key={note}>{note}</p>
          ))}
          {attribution && <p>{attribution}</p>}
        </div>
      )}
    </>
  );
}
