import { describe, expect, it } from 'vitest';
import type { CompanionVoices } from '@/core/companion-client';
import { engineCostNotes, groupVoices } from './voice-options';
import { NEURAL_ENGINE_COSTS } from './engine-costs';

const list: CompanionVoices = {
  engine: 'piper',
  defaultVoice: 'en_US-joe-medium',
  voices: [
    { id: 'en_US-joe-medium', name: 'Joe', language: 'en-us', engine: 'piper', accent: 'American', gender: 'male' },
    { id: 'bf_emma', name: 'Emma', language: 'en-gb', engine: 'kokoro', accent: 'British', gender: 'female' },
    { id: 'af_heart', name: 'Heart', language: 'en-us', engine: 'kokoro', accent: 'American', gender: 'female' },
    { id: 'en-us', name: 'English (America)', language: 'en-us', engine: 'espeak', accent: 'American' },
    { id: 'en-029', name: 'English (Caribbean)', language: 'en-029', engine: 'espeak', accent: 'other' },
  ],
};

describe('the Voice setting’s options', () => {
  it('are grouped American, British, Other, each "Name — engine, gender", with the companion’s default marked', () => {
    expect(groupVoices(list)).toEqual([
      {
        accent: 'American',
        label: 'American English',
        options: [
          { id: 'en_US-joe-medium', label: 'Joe — Piper, male (the companion’s default)' },
          { id: 'af_heart', label: 'Heart — Kokoro, female' },
          { id: 'en-us', label: 'English (America) — eSpeak' },
        ],
      },
      { accent: 'British', label: 'British English', options: [{ id: 'bf_emma', label: 'Emma — Kokoro, female' }] },
      { accent: 'other', label: 'Other', options: [{ id: 'en-029', label: 'English (Caribbean) — eSpeak' }] },
    ]);
  });

  it('leave out an accent no voice has', () => {
    const americanOnly = { ...list, voices: list.voices.filter((voice) => voice.accent === 'American') };
    expect(groupVoices(americanOnly).map((group) => group.label)).toEqual(['American English']);
  });

  it('say what each neural engine offered costs, from the one table of figures, and nothing for eSpeak', () => {
    const { piper, kokoro } = NEURAL_ENGINE_COSTS;
    expect(engineCostNotes(list)).toEqual([
      `Piper — natural, fast: first audio ~${piper.firstAudioSeconds} s, needs ~${piper.memoryMb} MB`,
      `Kokoro — more natural, slower: first audio ~${kokoro.firstAudioSeconds} s, needs ~${kokoro.memoryMb} MB`,
    ]);
    const espeakOnly = { ...list, voices: list.voices.filter((voice) => voice.engine === 'espeak') };
    expect(engineCostNotes(espeakOnly)).toEqual([]);
  });
});
