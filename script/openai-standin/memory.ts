/**
 * The stand-in's answer to the end-of-conversation facts request (the client's
 * features/memory/fact-proposal.ts: the last user message holds `Learner's messages: [...]`): a few
 * deterministic rules find what a learner says about themselves, the way a model would propose it.
 */

export interface ProposedFact {
  kind: 'name' | 'job' | 'interests' | 'goal' | 'event';
  text: string;
}

const RULES: Array<{ pattern: RegExp; fact: (match: RegExpExecArray) => ProposedFact }> = [
  {
    pattern: /\b[Mm]y name is ([A-Z][\w-]*(?: [A-Z][\w-]*)?)/,
    fact: (m) => ({ kind: 'name', text: `Is called ${m[1]}` }),
  },
  {
    pattern: /\bI (?:work|am working) as (an? [\w -]+?)(?=[,.!?]| and |$)/i,
    fact: (m) => ({ kind: 'job', text: `Works as ${m[1]}` }),
  },
  {
    pattern: /\bI (?:have|'ve got) (an? (?:job )?interview[\w ]*?)(?=[,.!?]| and |$)/i,
    fact: (m) => ({ kind: 'event', text: `Has ${m[1]}` }),
  },
  {
    pattern: /\bI (?:like|love|enjoy) ([\w ]+?)(?=[,.!?]| and |$)/i,
    fact: (m) => ({ kind: 'interests', text: `Likes ${m[1]}` }),
  },
  { pattern: /\bI want to ([\w ]+?)(?=[,.!?]|$)/i, fact: (m) => ({ kind: 'goal', text: `Wants to ${m[1]}` }) },
];

export function factsFor(messages: readonly string[], known: readonly string[] = []): ProposedFact[] {
  const seen = new Set(known.map((text) => text.toLowerCase()));
  const facts: ProposedFact[] = [];
  for (const message of messages) {
    for (const rule of RULES) {
      const match = rule.pattern.exec(message);
      if (!match) continue;
      const fact = rule.fact(match);
      if (seen.has(fact.text.toLowerCase())) continue;
      seen.add(fact.text.toLowerCase());
      facts.push(fact);
    }
  }
  return facts.slice(0, 5);
}

function jsonLine(text: string, label: string): unknown {
  const quoted = new RegExp(`^${label}:\\s*(\\[.*\\])\\s*$`, 'm').exec(text)?.[1];
  if (!quoted) return null;
  try {
    return JSON.parse(quoted);
  } catch {
    return null;
  }
}

const strings = (value: unknown): string[] | null =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;

/** The facts answer, or null when the last user message is not a facts request. */
export function answerFacts(lastUserMessage: string): { facts: ProposedFact[] } | null {
  const messages = strings(jsonLine(lastUserMessage, "Learner's messages"));
  if (!messages) return null;
  return { facts: factsFor(messages, strings(jsonLine(lastUserMessage, 'Facts already known')) ?? []) };
}
