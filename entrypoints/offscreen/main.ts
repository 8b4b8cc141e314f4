import { AudioPlayer, browserPlayerContext } from '@/utils/audio-player';
import { startOffscreenService } from '@/utils/offscreen-service';

// The offscreen document: the microphone and the teacher's voice, for every panel (see
// utils/offscreen-service.ts). It lives until the service worker closes it when idle.
startOffscreenService({ player: new AudioPlayer(browserPlayerContext) });
