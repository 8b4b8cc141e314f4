/**
 * A chat server's non-streamed answer (`chat.completion`) with one choice, in the shape the openai SDK parses: shared
 * by the tests of the corrections, the corrections lane and the memory's fact proposals.
 */
export function chatCompletion(content: string, finishReason = 'stop') {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finishReason, logprobs: null },
    ],
  };
}
