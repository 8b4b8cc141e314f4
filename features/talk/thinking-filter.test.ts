import { describe, expect, it } from 'vitest';
import { ThinkingFilter } from './thinking-filter';

function run(pieces: string[]): string {
  const filter = new ThinkingFilter();
  return pieces.map((piece) => filter.push(piece)).join('') + filter.flush();
}

describe('a reasoning model’s <think> block', () => {
  it('is dropped, even split across pieces, and the reply after it is kept', () => {
    expect(run(['<th', 'ink>The learner said "go".', ' Correct it.</th', 'ink>\n\nYou went', ' to the park!'])).toBe(
      'You went to the park!',
    );
  });

  it('is dropped after leading whitespace', () => {
    expect(run(['\n <think>hmm</think>Hello.'])).toBe('Hello.');
  });

  it('leaves a reply without one untouched, including a later "<think>"', () => {
    expect(run(['Hello', ' there. I <think> so.'])).toBe('Hello there. I <think> so.');
  });

  it('gives back a short reply that only looked like the start of a tag', () => {
    expect(run(['<'])).toBe('<');
  });

  it('never speaks thinking that did not close', () => {
    expect(run(['<think>still thinking'])).toBe('');
  });
});
