"""Stand-in for coqui-tts's TTS package, for the companion's fast tests (test/coqui-real.test.ts runs the real one)."""
