import { AudioPlayer, browserPlayerContext } from '@/utils/audio-player';
import { applyInterfaceLanguage } from '@/utils/i18n';
import { startOffscreenService } from '@/utils/offscreen-service';
import { loadSettings, settingsItem } from '@/utils/settings';

// The offscreen document: the microphone and the teacher's voice, for every panel (see
// utils/offscreen-service.ts). It lives until the service worker closes it when idle.
startOffscreenService({ player: new AudioPlayer(browserPlayerContext) });

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
