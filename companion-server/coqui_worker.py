"""AITalk companion's Coqui TTS worker.

Loads one Coqui model once and answers synthesis requests for as long as it runs, because loading is the slow
part (about 20 s for Tacotron2 against about 1 s per sentence). The companion (companion-server/src/engines/
coqui.ts) starts it with an argument array and talks JSON lines:

  stdin   {"op": "synthesize", "id": 1, "text": "...", "speaker": "p225" | null, "speed": 1.0}
          {"op": "quit"}
  stdout  {"type": "progress", "message": "..."}
          {"type": "ready", "sample_rate": 22050, "speakers": [...] | null, "languages": [...] | null, ...}
          {"type": "audio", "id": 1, "sample_rate": 22050, "pcm": "<base64 of 16-bit little-endian mono PCM>"}
          {"type": "error", "id": 1, "message": "..."}
          {"type": "fatal", "code": "missing_coqui" | "load_failed", "message": "..."}

Requests are handled strictly one at a time: Coqui's synthesiser is not thread-safe.
"""

import argparse
import base64
import importlib.util
import json
import os
import sys
import time
import traceback

# Coqui and the libraries under it print freely (download bars, "> Text splitted to sentences."), which would
# corrupt the JSON channel. Keep a private handle on the real stdout and send everything else to stderr,
# at the file-descriptor level so output from C extensions is redirected too.
_channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr


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


def clean_names(names):
    if not names:
        return None
    # Some Coqui speaker files carry stray whitespace ("ED\n"); voice ids must be exact strings.
    return [str(name).strip() for name in names if str(name).strip()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = parser.parse_args()

    if importlib.util.find_spec("TTS") is None:
        send(
            {
                "type": "fatal",
                "code": "missing_coqui",
                "message": f"coqui-tts is not installed for {sys.executable}: pip install coqui-tts "
                "(Python 3.10-3.13), or pass --python PATH to a Python that has it",
            }
        )
        return 3

    started = time.monotonic()
    send({"type": "progress", "message": "importing coqui-tts (torch takes a while the first time)"})
    try:
        from TTS.api import TTS

        send(
            {
                "type": "progress",
                "message": f"loading {args.model} on {args.device} (the first run downloads it; this can take minutes)",
            }
        )
        tts = TTS(args.model, progress_bar=False).to(args.device)
        sample_rate = int(tts.synthesizer.output_sample_rate)
        speakers = clean_names(getattr(tts, "speakers", None))
        languages = clean_names(getattr(tts, "languages", None))
    except Exception as error:  # noqa: BLE001 - every load failure is reported the same way
        traceback.print_exc()
        send({"type": "fatal", "code": "load_failed", "message": f"could not load {args.model}: {error}"})
        return 4

    multilingual = bool(languages)
    # XTTS takes a speed argument; the other Coqui models have no speed control and would reject it.
    supports_speed = "xtts" in args.model
    send(
        {
            "type": "ready",
            "sample_rate": sample_rate,
            "speakers": speakers,
            "languages": languages,
            "supports_speed": supports_speed,
            "load_seconds": round(time.monotonic() - started, 2),
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
            kwargs = {}
            speaker = request.get("speaker")
            if speakers and speaker:
                kwargs["speaker"] = speaker
            if multilingual:
                kwargs["language"] = "en" if "en" in languages else languages[0]
            speed = request.get("speed", 1.0)
            if supports_speed and speed and abs(float(speed) - 1.0) > 1e-6:
                kwargs["speed"] = float(speed)
            wav = tts.tts(text=request["text"], split_sentences=False, **kwargs)
            pcm = to_pcm16(wav)
            send(
                {
                    "type": "audio",
                    "id": request_id,
                    "sample_rate": sample_rate,
                    "pcm": base64.b64encode(pcm).decode("ascii"),
                }
            )
        except Exception as error:  # noqa: BLE001 - reported to the request that caused it; the worker goes on
            traceback.print_exc()
            send({"type": "error", "id": request_id, "message": str(error) or type(error).__name__})
    return 0


if __name__ == "__main__":
    sys.exit(main())
