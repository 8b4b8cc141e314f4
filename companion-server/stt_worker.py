"""AITalk companion's transcription worker (faster-whisper).

Loads one Whisper model (a CTranslate2 folder: model.bin, tokenizer.json, vocabulary.*) once and transcribes for as
long as it runs, because loading is the slow part. The companion (companion-server/src/stt/engine.ts) starts it with
an argument array and talks JSON lines:

  stdin   {"op": "transcribe", "id": 1, "path": "/private/tmp/upload", "language": "en", "prompt": "..." | null,
           "temperature": 0.0, "words": true}
          {"op": "quit"}
  stdout  {"type": "progress", "message": "..."}
          {"type": "ready", "model": "...", "multilingual": bool, "load_seconds": s, "warm_up_seconds": s}
          {"type": "result", "id": 1, "language": "en", "duration": s, "segments": [...], "words": [...],
           "seconds": decode time}
          {"type": "error", "id": 1, "code": "undecodable" | "no_audio" | "failed", "message": "..."}
          {"type": "fatal", "code": "missing_faster_whisper" | "incomplete_model" | "load_failed", "message": "..."}

Transcription is verbatim, as the extension asks: the language and prompt as given, one temperature (no fallback to
hotter sampling that would rewrite what the learner said), and no voice-activity filter, which would cut a learner's
hesitations and pauses out of the transcript and its timings.

Quiet is not transcribed: a 30-second window whose no-speech probability is above NO_SPEECH_THRESHOLD is skipped
however confident its words are. Whisper's default keeps such a window when its words are likely (average log
probability above -1), and conditioned on the prompt and the sentence just said, tiny.en fills the seconds of quiet
that end a hands-free turn with that sentence again and again, with confidence ("and I bought some fresh apples" a
dozen times, issue 22); the windows that looped had a no-speech probability of 0.69-0.92 (average log probability
-0.27 to -0.66), those with speech 0.01-0.27 (docs/bench/stt-repetition.txt). The skip only ever drops a window: on
the learner samples the words, their timings and the conditioning on the prompt are the same as without it.

Word times are narrowed to the sound inside them (see tightened): Whisper lets a word run on into the quiet next to
it, and the session card reads speaking time and pauses from these times.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

# faster-whisper and CTranslate2 may print; the JSON channel must carry only our lines.
_channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr
# A folder without tokenizer.json would make faster-whisper fetch one from the model hub; never reach out.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SAMPLE_RATE = 16000
# Whisper drops a first word that starts at the very first sample (eSpeak's do, and a recording cut at the press
# can), so the audio gets the quiet a recording would have around it; times are reported without it.
PAD_SECONDS = 0.5
BEAM_SIZE = 5
# Whisper's own default; with the log-probability exemption removed (see the docstring).
NO_SPEECH_THRESHOLD = 0.6


class Fatal(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def send(message):
    _channel.write(json.dumps(message, ensure_ascii=False) + "\n")
    _channel.flush()


def check_folder(folder):
    path = Path(folder)
    if not path.is_dir():
        raise Fatal("incomplete_model", f"{folder} is not a folder: give a faster-whisper model folder")
    missing = [name for name in ("model.bin", "tokenizer.json") if not (path / name).is_file()]
    if not any((path / name).is_file() for name in ("vocabulary.txt", "vocabulary.json")):
        missing.append("vocabulary.txt")
    if missing:
        raise Fatal(
            "incomplete_model",
            f"{folder} has no {', '.join(missing)}: it is not a complete faster-whisper model (an interrupted "
            f"download?); delete it and start again, or give another folder with --stt-model",
        )


def load(args):
    check_folder(args.model)
    try:
        import numpy
        from faster_whisper import WhisperModel, decode_audio
    except ImportError as error:
        raise Fatal(
            "missing_faster_whisper",
            f"faster-whisper is not installed for {sys.executable} ({error}): run npm run setup:stt in the AITalk "
            f"folder, or pass --stt-python PATH",
        )
    send({"type": "progress", "message": f"loading Whisper from {args.model}"})
    started = time.perf_counter()
    try:
        model = WhisperModel(
            args.model, device="cpu", compute_type="int8", cpu_threads=args.threads, num_workers=1
        )
    except Exception as error:  # noqa: BLE001 - any failure here means this model cannot be used
        raise Fatal("load_failed", f"could not load the Whisper model in {args.model}: {error}")
    return model, decode_audio, numpy, time.perf_counter() - started


def shifted(value, duration):
    return round(min(max(0.0, value - PAD_SECONDS), duration), 3)


# A 30 ms frame is sound when its RMS (full scale 1) is above this: about -36 dBFS, the companion's quiet for streams
# too (src/stt/stream.ts). Whisper stretches a word over the quiet next to it — a sentence ending "friend..." ran to
# the end of the recording — and the session card would count that quiet as speaking time, hiding the pause.
SOUND_RMS = 0.016
FRAME_SECONDS = 0.03
# What a word keeps around its loud frames: a final consonant or a soft onset is quieter than the threshold.
WORD_ONSET_MARGIN = 0.05
WORD_RELEASE_MARGIN = 0.1


def loud_frames(audio, numpy):
    frame = int(SAMPLE_RATE * FRAME_SECONDS)
    count = len(audio) // frame
    if count == 0:
        return numpy.zeros(0, dtype=bool)
    frames = audio[: count * frame].reshape(count, frame).astype(numpy.float64)
    return numpy.sqrt((frames * frames).mean(axis=1)) > SOUND_RMS


def tightened(start, end, loud, numpy):
    """A word's times narrowed to the sound inside them (never widened); unchanged when none of it is loud, as in a
    noisy room where every frame is, or for a word said under the threshold."""
    first = int(start / FRAME_SECONDS)
    last = min(len(loud), int(numpy.ceil(end / FRAME_SECONDS)))
    inside = numpy.flatnonzero(loud[first:last])
    if len(inside) == 0:
        return start, end
    new_start = max(start, (first + inside[0]) * FRAME_SECONDS - WORD_ONSET_MARGIN)
    new_end = min(end, (first + inside[-1] + 1) * FRAME_SECONDS + WORD_RELEASE_MARGIN)
    return round(new_start, 3), round(max(new_end, new_start), 3)


def transcribe(model, decode_audio, numpy, request):
    try:
        audio = decode_audio(request["path"], sampling_rate=SAMPLE_RATE)
    except Exception as error:  # noqa: BLE001 - PyAV raises many kinds for data it cannot read
        # PyAV names the file; the learner should see what is wrong with their audio, not the companion's temp path.
        detail = str(error).replace(f": '{request['path']}'", "").replace(request["path"], "the upload")
        return {"type": "error", "code": "undecodable", "message": f"{type(error).__name__}: {detail}"}
    if len(audio) == 0:
        return {"type": "error", "code": "no_audio", "message": "the file decodes to no audio at all"}
    duration = len(audio) / SAMPLE_RATE
    padding = numpy.zeros(int(SAMPLE_RATE * PAD_SECONDS), dtype=audio.dtype)
    began = time.perf_counter()
    words_wanted = bool(request.get("words"))
    segments, info = model.transcribe(
        numpy.concatenate([padding, audio, padding]),
        language=request.get("language") or "en",
        task="transcribe",
        beam_size=BEAM_SIZE,
        temperature=float(request.get("temperature") or 0.0),
        initial_prompt=request.get("prompt") or None,
        word_timestamps=words_wanted,
        vad_filter=False,
        no_speech_threshold=NO_SPEECH_THRESHOLD,
        log_prob_threshold=None,
    )
    out_segments = []
    out_words = []
    loud = loud_frames(audio, numpy) if words_wanted else None
    for segment in segments:
        words = []
        for word in segment.words or []:
            start, end = tightened(shifted(word.start, duration), shifted(word.end, duration), loud, numpy)
            words.append({"word": word.word.strip(), "start": start, "end": end, "probability": round(word.probability, 4)})
        # A segment ends with its last word's sound, not with the quiet Whisper gave that word.
        end = min(shifted(segment.end, duration), words[-1]["end"]) if words else shifted(segment.end, duration)
        out_segments.append(
            {
                "id": segment.id,
                "seek": segment.seek,
                "start": shifted(segment.start, duration),
                "end": end,
                "text": segment.text,
                "tokens": list(segment.tokens),
                "temperature": segment.temperature,
                "avg_logprob": segment.avg_logprob,
                "compression_ratio": segment.compression_ratio,
                "no_speech_prob": segment.no_speech_prob,
            }
        )
        out_words.extend(words)
    return {
        "type": "result",
        "language": info.language,
        "duration": round(duration, 3),
        "segments": out_segments,
        "words": out_words,
        "seconds": round(time.perf_counter() - began, 4),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True, help="a faster-whisper (CTranslate2) model folder")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    try:
        model, decode_audio, numpy, load_seconds = load(args)
    except Fatal as error:
        send({"type": "fatal", "code": error.code, "message": str(error)})
        return 1

    # The first decode allocates and compiles what later ones reuse; spend that before "ready", not on a learner.
    warm_started = time.perf_counter()
    try:
        segments, _info = model.transcribe(
            numpy.zeros(SAMPLE_RATE, dtype=numpy.float32), language="en", beam_size=BEAM_SIZE, vad_filter=False
        )
        list(segments)
    except Exception as error:  # noqa: BLE001
        send({"type": "fatal", "code": "load_failed", "message": f"the Whisper model failed its first run: {error}"})
        return 1
    send(
        {
            "type": "ready",
            "model": args.model,
            "multilingual": bool(model.model.is_multilingual),
            "load_seconds": round(load_seconds, 2),
            "warm_up_seconds": round(time.perf_counter() - warm_started, 2),
        }
    )

    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            if request.get("op") == "quit":
                break
            if request.get("op") != "transcribe":
                raise ValueError(f"unknown op {request.get('op')!r}")
            answer = transcribe(model, decode_audio, numpy, request)
        except Exception as error:  # noqa: BLE001 - one bad request must not end the worker
            answer = {"type": "error", "code": "failed", "message": f"{type(error).__name__}: {error}"}
        answer["id"] = request_id
        send(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
