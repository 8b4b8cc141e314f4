"""Stand-in for coqui-tts's TTS package, for the companion's tests (PyPI is out of reach there)."""
