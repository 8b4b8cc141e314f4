"""Builds randomly initialised Coqui models of the real architectures and installs them in coqui-tts's own model
cache under the real models' names, so the companion's unchanged worker loads them by name (nothing can be
downloaded here, and the real weights are hundreds of megabytes).

  python make_models.py --home DIR [--size tiny|full] [--only jenny,vctk,tacotron2,...]

DIR becomes TTS_HOME: coqui-tts looks for tts_models/en/jenny/jenny in DIR/tts/tts_models--en--jenny--jenny/.
"tiny" models load and speak in well under a second (the tests); "full" ones have the published models' layer
sizes (the bench), so their speed is real even though their voices are noise.

Durations are fixed rather than random so that lengths are meaningful: the VITS duration predictor gives every
token the same length (about 13 tokens a second, like natural speech), and Tacotron2's stop token never fires,
so it speaks for max_decoder_steps.
"""

import argparse
import json
import math
import os
import sys
from pathlib import Path

# Coqui and torch print freely; this script's only stdout output is its final JSON line.
_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)
sys.stdout = sys.stderr

import torch  # noqa: E402
from TTS.tts.configs.shared_configs import BaseAudioConfig  # noqa: E402
from TTS.tts.configs.tacotron2_config import Tacotron2Config  # noqa: E402
from TTS.tts.configs.vits_config import VitsConfig  # noqa: E402
from TTS.tts.models.tacotron2 import Tacotron2  # noqa: E402
from TTS.tts.models.vits import Vits, VitsArgs, VitsAudioConfig  # noqa: E402
from TTS.vocoder.configs import MultibandMelganConfig  # noqa: E402
from TTS.vocoder.models import setup_model as setup_vocoder  # noqa: E402

TOKENS_PER_SECOND = 13.0


def model_dir(home, name):
    folder = Path(home) / "tts" / name.replace("/", "--")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(folder, model, config):
    torch.save({"model": model.state_dict(), "config": config.to_dict()}, folder / "model_file.pth")
    config.save_json(str(folder / "config.json"))


def fixed_durations(model, config):
    """Every token lasts the same number of frames, so speed and length checks are exact. With add_blank (VITS's
    default) every phoneme is followed by a blank token, so each token gets half a phoneme's time. VITS rounds
    durations up; an even number of frames less a quarter stays exact at speed 0.5, 1 and 2."""
    frames_per_second = config.audio.sample_rate / config.audio.hop_length
    tokens_per_second = TOKENS_PER_SECOND * (2 if config.add_blank else 1)
    frames = max(2, 2 * round(frames_per_second / tokens_per_second / 2))
    proj = model.duration_predictor.proj
    with torch.no_grad():
        proj.weight.zero_()
        proj.bias.fill_(math.log(frames - 0.25))


def vits(home, name, size, sample_rate, speakers=None):
    tiny = size == "tiny"
    # No sampling noise: the same text and speaker give the same samples, so tests can compare voices exactly.
    args = VitsArgs(use_sdp=False, inference_noise_scale=0.0)
    if tiny:
        args = VitsArgs(
            use_sdp=False,
            inference_noise_scale=0.0,
            hidden_channels=16,
            hidden_channels_ffn_text_encoder=32,
            num_layers_text_encoder=1,
            num_layers_posterior_encoder=1,
            num_layers_flow=1,
            upsample_initial_channel_decoder=16,
            resblock_kernel_sizes_decoder=[3],
            resblock_dilation_sizes_decoder=[[1, 3, 5]],
            speaker_embedding_channels=16,
            init_discriminator=False,
        )
    if speakers:
        args.use_speaker_embedding = True
        args.num_speakers = len(speakers)
    config = VitsConfig(
        model_args=args,
        audio=VitsAudioConfig(sample_rate=sample_rate, fft_size=1024, win_length=1024, hop_length=256, num_mels=80),
        use_phonemes=True,
        phonemizer="espeak",
        phoneme_language="en-us",
        text_cleaner="phoneme_cleaners",
        compute_input_seq_cache=False,
    )
    folder = model_dir(home, name)
    if speakers:
        # The published VCTK file has names such as "ED\n"; the worker must offer "ED" and still find the speaker.
        speakers_file = folder / "speaker_ids.json"
        speakers_file.write_text(json.dumps({speaker: index for index, speaker in enumerate(speakers)}))
        config.model_args.speakers_file = str(speakers_file)
        config.num_speakers = len(speakers)
    torch.manual_seed(1)
    model = Vits.init_from_config(config)
    fixed_durations(model, config)
    save(folder, model, config)


def tacotron2_dca(home, size, decoder_steps):
    tiny = size == "tiny"
    audio = BaseAudioConfig(sample_rate=22050, fft_size=1024, win_length=1024, hop_length=256, num_mels=80,
                            mel_fmin=50.0, mel_fmax=7600.0, do_trim_silence=True, signal_norm=True)
    config = Tacotron2Config(
        audio=audio,
        use_phonemes=True,
        phonemizer="espeak",
        phoneme_language="en-us",
        text_cleaner="phoneme_cleaners",
        attention_type="dynamic_convolution",
        double_decoder_consistency=True,
        r=2,
        ddc_r=6,
        max_decoder_steps=decoder_steps,
        compute_input_seq_cache=False,
    )
    torch.manual_seed(2)
    model = Tacotron2.init_from_config(config)
    with torch.no_grad():
        # A random stop token fires at a random step; this one never does, so each sentence is decoder_steps long.
        model.decoder.stopnet[-1].linear_layer.weight.zero_()
        model.decoder.stopnet[-1].linear_layer.bias.fill_(-20.0)
    save(model_dir(home, "tts_models/en/ljspeech/tacotron2-DCA"), model, config)

    vocoder_config = MultibandMelganConfig(audio=audio)
    if tiny:
        vocoder_config.generator_model_params = {"upsample_factors": [8, 4, 2], "num_res_blocks": 1}
        vocoder_config.discriminator_model_params = {"base_channels": 4, "max_channels": 8, "downsample_factors": [4]}
    vocoder = setup_vocoder(vocoder_config)
    save(model_dir(home, "vocoder_models/en/ljspeech/multiband-melgan"), vocoder, vocoder_config)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", required=True)
    parser.add_argument("--size", choices=["tiny", "full"], default="tiny")
    parser.add_argument("--only", default="jenny,vctk,tacotron2")
    parser.add_argument("--tacotron-steps", type=int, default=None)
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    if "jenny" in wanted:
        vits(args.home, "tts_models/en/jenny/jenny", args.size, 48000)
    if "vctk" in wanted:
        vits(args.home, "tts_models/en/vctk/vits", args.size, 22050, speakers=["p225", "p226", "ED\n", "p227"])
    if "tacotron2" in wanted:
        tacotron2_dca(args.home, args.size, args.tacotron_steps or (40 if args.size == "tiny" else 130))
    _out.write(json.dumps({"home": str(Path(args.home).resolve()), "models": sorted(wanted)}) + "\n")
    _out.flush()


if __name__ == "__main__":
    main()
