import { SAMPLE_RATE } from '../pronunciation/signal';

/**
 * A recording (webm/opus from MediaRecorder) as the judge takes it: 16 kHz mono samples. decodeAudioData
 * resamples to its context's rate, so an OfflineAudioContext at 16 kHz does the decoding and the resampling
 * in one step; the channels are averaged (the microphone's are the same voice).
 */
export async function decodeForJudge(blob: Blob): Promise<Float32Array> {
  const context = new OfflineAudioContext(1, 1, SAMPLE_RATE);
  const audio = await context.decodeAudioData(await blob.arrayBuffer());
  const mono = new Float32Array(audio.length);
  for (let channel = 0; channel < audio.numberOfChannels; channel++) {
    const data = audio.getChannelData(channel);
    for (let i = 0; i < mono.length; i++) mono[i]! += data[i]! / audio.numberOfChannels;
  }
  return mono;
}
