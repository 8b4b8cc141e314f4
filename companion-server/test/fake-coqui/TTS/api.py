"""A stand-in for coqui-tts's ``TTS.api.TTS`` with the surface the companion's worker uses, behaving like
coqui-tts 0.27 where the worker can tell: 10,000 zero samples after the sentence, ValueError for a speaker or
language the model does not take (or a missing language on a multilingual model), speaker names as the model
spells them.

Behaviour is steered by the text, so tests can script it:
  "CRASH" in the text  -> the process dies mid-request (os._exit), like a segfault in a native library
  "FAIL" in the text   -> tts() raises, like a model rejecting an input
  "SLOW" in the text   -> tts() takes FAKE_COQUI_SLOW_SECONDS (default 1.0)
Every load and every tts() call is appended as a JSON line to FAKE_COQUI_LOG, so tests can count them.
Model names containing "vctk" are multi-speaker; "multilingual" ones also take languages; "broken" fails to load.
"""

import json
import os
import time

from TTS.utils.synthesizer import PAD_SILENCE_SAMPLES, Synthesizer


def _log(event, **fields):
    path = os.environ.get("FAKE_COQUI_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"event": event, "pid": os.getpid(), **fields}) + "\n")


def fake_samples(text):
    """Deterministic floats in [-1, 1] whose count depends on the text; tests recompute them exactly."""
    count = 200 * len(text)
    return [((i * 7919 + len(text) * 31) % 2001 - 1000) / 1000.0 for i in range(count)]


class TTS:
    def __init__(self, model_name="", progress_bar=True, gpu=False):
        _log("load", model=model_name, progress_bar=progress_bar)
        print("> fake coqui: loading", model_name)  # Coqui prints to stdout; the worker must keep it off its channel.
        time.sleep(float(os.environ.get("FAKE_COQUI_LOAD_SECONDS", "0")))
        if "broken" in model_name:
            raise RuntimeError("fake model files are corrupt")
        self.model_name = model_name
        self.synthesizer = Synthesizer()
        multi_speaker = "vctk" in model_name or "multilingual" in model_name
        # The published VCTK speaker file has "ED\n"; the real library only accepts that exact spelling.
        self.speakers = ["p225", "p226", "ED\n", "p227"] if multi_speaker else None
        self.languages = ["en", "fr-fr", "pt-br"] if "multilingual" in model_name else None
        self.device = "cpu"

    def to(self, device):
        _log("to", device=device)
        self.device = device
        return self

    def _check_arguments(self, speaker, language):
        if self.languages and language is None:
            raise ValueError("Model is multi-lingual but no `language` is provided.")
        if not self.speakers and speaker is not None:
            raise ValueError("Model is not multi-speaker but `speaker` is provided.")
        if not self.languages and language is not None:
            raise ValueError("Model is not multi-lingual but `language` is provided.")
        if self.speakers and speaker is not None and speaker not in self.speakers:
            raise KeyError(speaker)
        if self.languages and language not in self.languages:
            raise KeyError(language)

    def tts(self, text, speaker=None, language=None, split_sentences=True, **kwargs):
        _log("tts", text=text, speaker=speaker, language=language, kwargs=sorted(kwargs))
        print("> Text splitted to sentences.")
        self._check_arguments(speaker, language)
        if "CRASH" in text:
            os._exit(17)
        if "FAIL" in text:
            raise ValueError("fake synthesis failure")
        if "SLOW" in text:
            time.sleep(float(os.environ.get("FAKE_COQUI_SLOW_SECONDS", "1.0")))
        return fake_samples(text) + [0] * PAD_SILENCE_SAMPLES
