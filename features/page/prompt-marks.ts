/**
 * Fixed phrases that start parts of the model's instructions. They stay English (the model reads
 * them, not the learner), and the OpenAI stand-in looks for them to answer as a teacher would; so
 * they live here, apart from the learner-facing strings, and the stand-in imports only this.
 */

/** The marker the teacher's instructions use for the pages. */
export const PAGE_CONTEXT_HEADING = 'The learner is reading this web page';

/** The start of the note that a page was just brought in. */
export const NEW_PAGE_MARK = 'The learner has just brought in the page';

/** How "What does this mean?" (features/page/explain-phrase.ts) starts its instructions. */
export const DICTIONARY_MARK = 'You are a learner’s dictionary';
