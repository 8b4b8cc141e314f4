// What one transcription asks of the Whisper worker and what it answers (companion-server/stt_worker.py).

export interface TranscribeRequest {
  audio: Buffer;
  language: string;
  prompt: string | null;
  temperature: number;
  /** Word timings (verbose_json); they cost some decoding time, so json and text go without. */
  words: boolean;
}

export interface TranscriptWord {
  word: string;
  start: number;
  end: number;
  probability: number;
}

export interface TranscriptSegment {
  id: number;
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  temperature: number;
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
}

export interface Transcript {
  text: string;
  language: string;
  /** Seconds of audio. */
  duration: number;
  segments: TranscriptSegment[];
  words: TranscriptWord[];
  /** Seconds the worker spent decoding. */
  seconds: number;
}
