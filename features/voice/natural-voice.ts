import { computed, signal } from '@preact/signals';
import { fetchNaturalVoice, type NaturalVoiceStatus } from '@/core/companion-client';
import { t } from '@/core/i18n';

/** How often the panel asks again while the natural voice is being fetched or loaded. */
export const NATURAL_VOICE_POLL_MS = 3_000;

export interface NaturalVoiceNotice {
  kind: 'info' | 'error';
  text: string;
}

/** What the panel says of the natural voice; nothing once it speaks, or when the companion has none. */
export function naturalVoiceNotice(status: NaturalVoiceStatus | null): NaturalVoiceNotice | null {
  switch (status?.state) {
    case 'fetching':
      return {
        kind: 'info',
        text: status.percent === null ? t('voice.fetchingStarted') : t('voice.fetching', { percent: status.percent }),
      };
    case 'loading':
      return { kind: 'info', text: t('voice.loading') };
    case 'failed': {
      const message = (status.message ?? '').trim();
      return { kind: 'error', text: t('voice.failed', { message: /[.!?]$/.test(message) ? message : `${message}.` }) };
    }
    default:
      return null;
  }
}

export interface NaturalVoiceWatchDeps {
  /** The companion as the saved settings name it now. */
  companion(): { url: string; token: string };
  fetchStatus?: typeof fetchNaturalVoice;
  pollMs?: number;
  /** Whose visibility decides whether to keep asking (the panel's document). */
  page?: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>;
}

export type NaturalVoiceWatch = ReturnType<typeof createNaturalVoiceWatch>;

/**
 * The companion's natural voice as the panel knows it. One /health request when the panel starts,
 * shows again or its settings are saved; more, every few seconds, only while the voice is being
 * fetched or loaded and the panel is visible — so a panel left open costs the companion nothing.
 */
export function createNaturalVoiceWatch({
  companion,
  fetchStatus = fetchNaturalVoice,
  pollMs = NATURAL_VOICE_POLL_MS,
  page = document,
}: NaturalVoiceWatchDeps) {
  const status = signal<NaturalVoiceStatus | null>(null);
  /** The failure the learner hid; a different one shows again. */
  const hidden = signal<NaturalVoiceStatus | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Answers to an older request (before a hide, a dispose or a newer check) are dropped. */
  let generation = 0;
  let watching = false;

  function stopPolling(): void {
    clearTimeout(timer);
    timer = undefined;
    generation++;
  }

  async function check(): Promise<void> {
    if (!watching) return;
    stopPolling();
    const mine = generation;
    const { url, token } = companion();
    const next = await fetchStatus(url, token);
    if (mine !== generation) return;
    status.value = next;
    const inProgress = next?.state === 'fetching' || next?.state === 'loading';
    if (inProgress && page.visibilityState !== 'hidden') timer = setTimeout(() => void check(), pollMs);
  }

  function onVisibility(): void {
    if (page.visibilityState === 'hidden') stopPolling();
    else void check();
  }

  const notice = computed(() => {
    const current = status.value;
    const shown = hidden.value;
    const hiddenByLearner =
      current?.state === 'failed' &&
      shown?.state === 'failed' &&
      shown.message === current.message &&
      shown.voice === current.voice;
    return hiddenByLearner ? null : naturalVoiceNotice(current);
  });

  return {
    status,
    notice,
    /** What a screen reader is told: the notice without its percentage, so it speaks once per state. */
    announcement: computed(() => {
      const state = status.value?.state;
      if (state === 'fetching') return t('voice.fetchingStarted');
      if (state === 'loading') return t('voice.loading');
      return notice.value?.text ?? '';
    }),
    /** Asks once now (and keeps asking while the voice is on its way). */
    check,
    start(): void {
      if (watching) return;
      watching = true;
      page.addEventListener('visibilitychange', onVisibility);
      void check();
    },
    /** The learner hid the failure notice. */
    hide(): void {
      hidden.value = status.value;
    },
    dispose(): void {
      watching = false;
      stopPolling();
      page.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
