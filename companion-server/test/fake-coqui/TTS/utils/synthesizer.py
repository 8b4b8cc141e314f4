"""Stand-in for coqui-tts's TTS.utils.synthesizer: the same silence after every sentence as the real one."""

import os

PAD_SILENCE_SAMPLES = 10000


class Synthesizer:
    def __init__(self):
        self.output_sample_rate = int(os.environ.get("FAKE_COQUI_SAMPLE_RATE", "16000"))
