/**
 * Asks the teacher one question and prints the reply as it streams in.
 *   OPENAI_API_KEY=… [OPENAI_BASE_URL=…] npm run smoke:teacher -- ["what the learner said"]
 */
import { openaiClient, runSmoke, smokeEnv } from './lib/smoke.ts';

// The original design's teacher prompt, as the extension sends it by default.
const TEACHER =
  "I want you to act as a spoken English teacher and improver. I will speak to you in English and you will reply to me in English to practice my spoken English. I want you to keep your reply neat, limiting the reply to 100 words. I want you to strictly correct my grammar mistakes, typos, and factual errors. I want you to ask me a question in your reply. Now let's start practicing, you could ask me a question first. Remember, I want you to strictly correct my grammar mistakes, typos, and factual errors.";

runSmoke('smoke:teacher', async () => {
  const said = process.argv[2] ?? 'Yesterday I go to the park with my friend.';
  const env = smokeEnv();
  console.info(`asking ${env.chatModel} at ${env.baseURL}: "${said}"`);
  const started = performance.now();
  const stream = await openaiClient().chat.completions.create({
    model: env.chatModel,
    stream: true,
    messages: [
      { role: 'system', content: TEACHER },
      { role: 'user', content: said },
    ],
  });
  let firstTokenMs: number | undefined;
  let reply = '';
  for await (const chunk of stream) {
    const token = chunk.choices[0]?.delta.content;
    if (!token) continue;
    firstTokenMs ??= Math.round(performance.now() - started);
    reply += token;
    process.stdout.write(token);
  }
  process.stdout.write('\n');
  if (!reply.trim()) throw new Error('the stream ended without any text');
  console.info(
    `first token after ${firstTokenMs} ms, whole reply (${reply.split(/\s+/).length} words) after ${Math.round(performance.now() - started)} ms`,
  );
});
