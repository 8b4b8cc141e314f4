import type { Message } from '@/core/db/schema';
import { newPagePrompt, pageContext, type PageCapture } from '@/features/page/page-capture';
import type { ChatTurn } from '@/features/talk/teacher-api';

/**
 * How many of the latest messages the teacher is sent after its instructions. With all of them a
 * 200-turn session sent ~400 messages with every request: replies grew slower and costlier the
 * longer a learner practised, and the panel had to keep the whole conversation in memory to send
 * it. 20 exchanges is far more than a reply of 2–4 sentences draws on.
 */
export const TEACHER_CONTEXT = 40;

/**
 * What the teacher is sent: the instructions (with the page the conversation is about, so every turn
 * stays grounded in it), then the last TEACHER_CONTEXT turns that were heard or said. `earlier` counts
 * the conversation's messages older than `messages` (kept in IndexedDB only).
 */
export function teacherChat(
  instructions: string,
  messages: readonly Message[],
  pages: readonly PageCapture[],
  earlier: number,
): ChatTurn[] {
  const context = pageContext(pages);
  const said: ChatTurn[] = [];
  for (const message of messages) {
    if (!message.text) continue;
    if (message.role === 'user' && message.status === 'done') said.push({ role: 'user', content: message.text });
    if (message.role === 'assistant' && (message.status === 'done' || message.status === 'interrupted')) {
      said.push({ role: 'assistant', content: message.text });
    }
  }
  const recent = said.slice(-TEACHER_CONTEXT);
  // A reply whose question was cut off would be an answer to nothing: it goes too.
  const cut = recent.length < said.length || earlier > 0;
  if (cut && recent[0]?.role === 'assistant') recent.shift();
  const turns: ChatTurn[] = [
    { role: 'system', content: context ? `${instructions}\n\n${context}` : instructions },
    ...recent,
  ];
  // A page brought in after the last turn: the teacher's next words are about it. In the same
  // millisecond counts as after (a page shortcut pressed as a fresh panel asks its opening
  // question): a reply's own message is only created once its request is built.
  const newest = pages.at(-1);
  const lastAt = messages.at(-1)?.createdAt ?? 0;
  if (newest && newest.capturedAt >= lastAt) {
    turns.push({ role: 'system', content: newPagePrompt(newest) });
  }
  return turns;
}
