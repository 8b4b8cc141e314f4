import { AudioPlayer, browserPlayerContext, memoryVoiceRate, type VoiceRateMemory } from '@/offscreen/audio-player';
import { applyInterfaceLanguage } from '@/core/i18n';
import { startOffscreenService } from '@/offscreen/offscreen-service';
import { loadSettings, settingsItem } from '@/features/settings/settings';

// The offscreen document: the microphone and the teacher's voice, for every panel (see
// offscreen/offscreen-service.ts). It lives until the service worker closes it when idle.
startOffscreenService({ player: new AudioPlayer(browserPlayerContext, storedVoiceRate()) });

/**
 * The voice's sample rate outlives this document (closed when idle), so the first reply after it
 * reopens is played at the voice's rate too. Without localStorage it is learnt again each time.
 */
function storedVoiceRate(): VoiceRateMemory {
  const key = 'aitalk.voiceSampleRate';
  let initial: number | undefined;
  try {
    const stored = Number(localStorage.getItem(key));
    if (Number.isInteger(stored) && stored > 0) initial = stored;
  } catch {
    // No storage: the rate is kept in memory only.
  }
  const memory = memoryVoiceRate(initial);
  return {
    load: memory.load,
    save(rate) {
      memory.save(rate);
      try {
        localStorage.setItem(key, String(rate));
      } catch {
        // As above.
      }
    },
  };
}

// The recorder's messages reach the learner through the panel: same language as the panel.
function followLanguage(choice: Parameters<typeof applyInterfaceLanguage>[0] | undefined): void {
  applyInterfaceLanguage(choice ?? 'browser').catch((error: unknown) =>
    console.warn('AITalk: interface language', error),
  );
}
loadSettings().then(
  (settings) => followLanguage(settings.interfaceLanguage),
  () => followLanguage('browser'),
);
settingsItem.watch((settings) => followLanguage(settings?.interfaceLanguage));
