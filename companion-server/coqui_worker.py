"""AITalk companion's Coqui TTS worker.

Loads one Coqui model once and answers synthesis requests for as long as it runs, because loading is the slow
part (about 20 s for Tacotron2 against about 1 s per sentence). The companion (companion-server/src/engines/
coqui.ts) starts it with an argument array and talks JSON lines:

  stdin   {"op": "synthesize", "id": 1, "text": "...", "speaker": "p225" | null, "speed": 1.0}
          {"op": "quit"}
  stdout  {"type": "progress", "message": "..."}
          {"type": "ready", "sample_rate": 22050, "speakers": [...] | null, "languages": [...] | null,
           "supports_speed": bool, "attribution": str | null, "license": str | null, ...}
          {"type": "audio", "id": 1, "sample_rate": 22050, "pcm": "<base64 of 16-bit little-endian mono PCM>"}
          {"type": "error", "id": 1, "message": "..."}
          {"type": "fatal", "code": "missing_coqui" | "unknown_model" | "incomplete_download" | "missing_espeak"
                    | "load_failed", "message": "..."}

Requests are handled strictly one at a time: Coqui's synthesiser is not thread-safe. Everything that can be
checked without importing coqui-tts (which takes many seconds) is checked first, so a wrong name or a broken
model folder is reported at once.
"""

import argparse
import base64
import builtins
import importlib.util
import json
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

# Coqui and the libraries under it print freely (download bars, licence texts), which would corrupt the JSON
# channel. Keep a private handle on the real stdout and send everything else to stderr, at the file-descriptor
# level so output from C extensions is redirected too.
_channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

MODEL_FILES = ("model_file.pth", "model_file.pth.tar", "model.pth", "checkpoint.pth")
# What coqui-tts's Synthesizer appends after every sentence (TTS/utils/synthesizer.py, PAD_SILENCE_SAMPLES).
DEFAULT_PAD_SAMPLES = 10000
WARM_UP_TEXT = "Hello, and welcome back."
# Voices whose licence asks to be credited by name wherever they are used.
ATTRIBUTIONS = {
    "tts_models/en/jenny/jenny": "Voice: Jenny (Dioco), https://github.com/dioco-group/jenny-tts-dataset",
}


class Fatal(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def send(message):
    _channel.write(json.dumps(message, ensure_ascii=False) + "\n")
    _channel.flush()


def to_pcm16(wav):
    """Float samples in [-1, 1] to 16-bit PCM, clipped but otherwise untouched (no normalisation)."""
    if hasattr(wav, "detach"):
        wav = wav.detach().cpu().numpy()
    try:
        import numpy as np
    except ImportError:
        np = None
    if np is not None:
        samples = np.clip(np.asarray(wav, dtype=np.float64).reshape(-1), -1.0, 1.0)
        return (samples * 32767.0).astype("<i2").tobytes()
    import array

    pcm = array.array("h", (int(max(-1.0, min(1.0, float(x))) * 32767.0) for x in wav))
    if sys.byteorder != "little":
        pcm.byteswap()
    return pcm.tobytes()


def trim_padding(wav, pad):
    """Drops the synthesiser's silence after the sentence: the companion already paces sentences itself, and
    0.45 s of zeros at the end of every sentence would be heard as a stall between them."""
    if hasattr(wav, "detach"):
        wav = wav.detach().cpu().numpy()
    if pad <= 0 or len(wav) < pad:
        return wav
    if any(float(x) != 0.0 for x in wav[len(wav) - pad :]):
        return wav
    return wav[: len(wav) - pad]


def clean_names(names):
    """Voice ids the companion offers, each mapped to the name the model knows. Some Coqui speaker files carry
    stray whitespace ("ED\\n"); the id must be a clean string, but the model only accepts its own spelling."""
    if not names:
        return None
    mapping = {}
    for name in names:
        clean = str(name).strip()
        if clean and clean not in mapping:
            mapping[clean] = name
    return mapping


def coqui_package_dir():
    spec = importlib.util.find_spec("TTS")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def model_cache_dir():
    """Where coqui-tts keeps downloaded models (trainer.io.get_user_data_dir("tts"))."""
    if os.environ.get("TTS_HOME"):
        base = Path(os.environ["TTS_HOME"]).expanduser()
    elif os.environ.get("XDG_DATA_HOME"):
        base = Path(os.environ["XDG_DATA_HOME"]).expanduser()
    elif sys.platform == "darwin":
        base = Path("~/Library/Application Support/").expanduser()
    else:
        base = Path.home() / ".local" / "share"
    return base / "tts"


def catalogue_entry(catalogue, name):
    parts = name.split("/")
    if len(parts) != 4:
        return None
    entry = catalogue
    for part in parts:
        if not isinstance(entry, dict) or part not in entry:
            return None
        entry = entry[part]
    return entry


def check_folder(name, needs_config=True):
    """A folder without its model file is what an interrupted download leaves; coqui-tts takes any existing
    folder for complete and then fails with "Model file not found" on every start."""
    folder = model_cache_dir() / name.replace("/", "--")
    if not folder.is_dir():
        return None
    has_model = any((folder / file).is_file() for file in MODEL_FILES)
    has_config = (folder / "config.json").is_file()
    if not has_model or (needs_config and not has_config):
        missing = "model file" if not has_model else "config.json"
        raise Fatal(
            "incomplete_download",
            f"the model folder {folder} has no {missing}: an earlier download was interrupted. Delete that folder "
            f"and start the companion again to download {name} afresh",
        )
    return folder


def needs_espeak(config_path):
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not config.get("use_phonemes"):
        return False
    # coqui-tts picks eSpeak for English when the config names no phonemizer.
    return config.get("phonemizer") in (None, "", "espeak")


def espeak_program():
    return shutil.which("espeak-ng") or shutil.which("espeak")


def espeak_missing(name):
    return Fatal(
        "missing_espeak",
        f"{name} reads phonemes made by the espeak-ng program, which is not on PATH. Install it "
        "(Debian/Ubuntu: sudo apt install espeak-ng; macOS: brew install espeak-ng; Windows: the espeak-ng "
        "installer from its releases page) and start the companion again",
    )


def check_before_loading(name):
    """Returns the catalogue entry of `name`; raises Fatal for what would otherwise fail late or obscurely."""
    package = coqui_package_dir()
    catalogue = json.loads((package / ".models.json").read_text(encoding="utf-8"))
    entry = catalogue_entry(catalogue, name)
    if entry is None and "xtts" not in name:
        raise Fatal(
            "unknown_model",
            f'"{name}" is not one of coqui-tts\'s models (names look like tts_models/en/ljspeech/tacotron2-DCA). '
            f"List them with: {sys.executable} -m TTS.bin.synthesize --list_models",
        )
    folder = check_folder(name, needs_config="xtts" not in name)
    if folder is not None and needs_espeak(folder / "config.json") and not espeak_program():
        raise espeak_missing(name)
    vocoder = (entry or {}).get("default_vocoder")
    if vocoder:
        check_folder(vocoder)
    return entry or {}


def refuse_console_input(prompt=""):
    # stdin is the companion's JSON channel: whatever input() read there would be a request, not an answer.
    raise RuntimeError(
        f"coqui-tts asked a question on the console ({str(prompt).strip() or 'no prompt'}), which the companion "
        "cannot answer. XTTS asks for its licence: accept the Coqui Public Model License "
        "(https://coqui.ai/cpml) by setting COQUI_TOS_AGREED=1, then start the companion again"
    )


class Voice:
    """The loaded model and how to call it."""

    def __init__(self, tts, name):
        self.tts = tts
        self.speakers = clean_names(getattr(tts, "speakers", None))
        languages = getattr(tts, "languages", None)
        self.languages = [str(language) for language in languages] if languages else None
        self.language = None
        if self.languages:
            self.language = "en" if "en" in self.languages else self.languages[0]
        synthesizer = tts.synthesizer
        self.sample_rate = int(synthesizer.output_sample_rate)
        model = getattr(synthesizer, "tts_model", None)
        # VITS reads its speaking rate from length_scale; XTTS takes a speed argument; the rest have neither.
        self.length_model = model if model is not None and type(model).__name__ == "Vits" else None
        self.base_length_scale = float(getattr(self.length_model, "length_scale", 1.0) or 1.0)
        self.speed_argument = "xtts" in name
        module = sys.modules.get(type(synthesizer).__module__)
        self.pad = int(getattr(module, "PAD_SILENCE_SAMPLES", DEFAULT_PAD_SAMPLES))

    @property
    def supports_speed(self):
        return self.speed_argument or self.length_model is not None

    def speak(self, text, speaker=None, speed=1.0):
        kwargs = {}
        if self.speakers:
            kwargs["speaker"] = self.speakers.get(speaker or "", next(iter(self.speakers.values())))
        if self.language:
            kwargs["language"] = self.language
        speed = float(speed or 1.0)
        changed = abs(speed - 1.0) > 1e-6
        if self.speed_argument and changed:
            kwargs["speed"] = speed
        if self.length_model is not None:
            self.length_model.length_scale = self.base_length_scale / speed
        try:
            wav = self.tts.tts(text=text, split_sentences=False, **kwargs)
        finally:
            if self.length_model is not None:
                self.length_model.length_scale = self.base_length_scale
        return trim_padding(wav, self.pad)


def load(args):
    if coqui_package_dir() is None:
        raise Fatal(
            "missing_coqui",
            f"coqui-tts is not installed for {sys.executable}: run npm run setup:coqui in the AITalk folder, "
            "or pass --python PATH to a Python that has coqui-tts",
        )
    entry = check_before_loading(args.model)
    send({"type": "progress", "message": "importing coqui-tts (torch takes a while the first time)"})
    from TTS.api import TTS

    send(
        {
            "type": "progress",
            "message": f"loading {args.model} on {args.device} (the first run downloads it; this can take minutes)",
        }
    )
    builtins.input = refuse_console_input
    try:
        tts = TTS(args.model, progress_bar=False).to(args.device)
    except Exception as error:
        if "espeak" in str(error).lower() and not espeak_program():
            raise espeak_missing(args.model) from error
        raise
    return Voice(tts, args.model), entry


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = parser.parse_args()

    started = time.monotonic()
    try:
        voice, entry = load(args)
        # The first synthesis after loading is several times slower than the rest (lazy initialisation in torch
        # and the phonemizer): pay it here, before "ready", not on the learner's first sentence.
        warm_started = time.monotonic()
        voice.speak(WARM_UP_TEXT)
        warm_seconds = time.monotonic() - warm_started
    except Fatal as error:
        send({"type": "fatal", "code": error.code, "message": str(error)})
        return 4
    except Exception as error:  # noqa: BLE001 - every other load failure is reported the same way
        traceback.print_exc()
        send({"type": "fatal", "code": "load_failed", "message": f"could not load {args.model}: {error}"})
        return 4

    send(
        {
            "type": "ready",
            "sample_rate": voice.sample_rate,
            "speakers": list(voice.speakers) if voice.speakers else None,
            "languages": voice.languages,
            "supports_speed": voice.supports_speed,
            "attribution": ATTRIBUTIONS.get(args.model),
            "license": entry.get("license"),
            "load_seconds": round(time.monotonic() - started, 2),
            "warm_up_seconds": round(warm_seconds, 2),
        }
    )

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except ValueError:
            send({"type": "error", "id": None, "message": "the worker received a line that is not JSON"})
            continue
        if request.get("op") == "quit":
            break
        request_id = request.get("id")
        try:
            wav = voice.speak(request["text"], request.get("speaker"), request.get("speed", 1.0))
            send(
                {
                    "type": "audio",
                    "id": request_id,
                    "sample_rate": voice.sample_rate,
                    "pcm": base64.b64encode(to_pcm16(wav)).decode("ascii"),
                }
            )
        except Exception as error:  # noqa: BLE001 - reported to the request that caused it; the worker goes on
            traceback.print_exc()
            send({"type": "error", "id": request_id, "message": str(error) or type(error).__name__})
    return 0


if __name__ == "__main__":
    sys.exit(main())
