import type { CompanionVoice, CompanionVoices, VoiceAccent } from '@/core/companion-client';
import { t } from '@/core/i18n';
import { isNeuralEngine, NEURAL_ENGINE_COSTS } from './engine-costs';

/** What a voice says when the learner picks it: short, and the kind of sentence the teacher says. */
export const VOICE_SAMPLE_TEXT = "Hello! Let's practise speaking English together.";

/** Engines by the names their projects use. */
const ENGINE_NAMES: Record<string, string> = {
  piper: 'Piper',
  kokoro: 'Kokoro',
  espeak: 'eSpeak',
  coqui: 'Coqui TTS',
};

export function engineName(engine: string): string {
  return ENGINE_NAMES[engine] ?? engine;
}

const ACCENTS: readonly VoiceAccent[] = ['American', 'British', 'other'];

function accentLabel(accent: VoiceAccent): string {
  if (accent === 'American') return t('voice.accentAmerican');
  if (accent === 'British') return t('voice.accentBritish');
  return t('voice.accentOther');
}

/** "Name — engine, gender", and the companion's default marked. */
export function voiceLabel(voice: CompanionVoice, isDefault: boolean): string {
  const engine = engineName(voice.engine);
  const label = voice.gender
    ? t('voice.option', {
        name: voice.name,
        engine,
        gender: t(voice.gender === 'female' ? 'voice.female' : 'voice.male'),
      })
    : t('voice.optionNoGender', { name: voice.name, engine });
  return isDefault ? t('voice.optionDefault', { label }) : label;
}

export interface VoiceGroup {
  accent: VoiceAccent;
  label: string;
  options: Array<{ id: string; label: string }>;
}

/** The Voice select's groups: American, British, then the rest, each in the companion's order; empty groups left out. */
export function groupVoices(list: CompanionVoices): VoiceGroup[] {
  return ACCENTS.map((accent) => ({
    accent,
    label: accentLabel(accent),
    options: list.voices
      .filter((voice) => voice.accent === accent)
      .map((voice) => ({ id: voice.id, label: voiceLabel(voice, voice.id === list.defaultVoice) })),
  })).filter((group) => group.options.length > 0);
}

/** One note per neural engine the companion offers: how natural, how slow, how much memory. */
export function engineCostNotes(list: CompanionVoices): string[] {
  const engines = [...new Set(list.voices.map((voice) => voice.engine))].filter(isNeuralEngine);
  return engines.map((engine) => {
    const { firstAudioSeconds: seconds, memoryMb: mb } = NEURAL_ENGINE_COSTS[engine];
    return engine === 'piper' ? t('voice.costPiper', { seconds, mb }) : t('voice.costKokoro', { seconds, mb });
  });
}
