import type { Conversation } from '@/core/db/schema';
import { UNTITLED } from '@/core/db/conversations';
import { t } from '@/core/i18n';

/**
 * A conversation's title as the learner reads it. A conversation not yet named (by its first
 * sentence or page) keeps the stored marker `UNTITLED`, shown in the interface's language.
 */
export function titleOf(conversation: Pick<Conversation, 'title'>): string {
  return conversation.title === UNTITLED ? t('app.newConversation') : conversation.title;
}
