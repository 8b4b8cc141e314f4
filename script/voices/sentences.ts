/**
 * What a teacher says in a lesson, for `npm run bench:voices` and the clarity test (script/voices/clarity.test.ts):
 * questions, praise, numbers, names, times and dates, a long sentence with clauses, and the corrections that quote
 * the learner's mistake beside the right form. Written as the teacher model writes them (digits, contractions,
 * quotes), so the voices and the recogniser meet the text a learner's companion is really sent.
 */
export const TEACHER_SENTENCES: readonly string[] = [
  'Hello! How are you today?',
  'What did you do at the weekend?',
  "That's a great answer, well done.",
  "You said 'I go there yesterday'; we say 'I went there yesterday'.",
  'Could you tell me a little more about your family?',
  'My friend Sarah lives in London with her two brothers.',
  'The train leaves at 7:30 in the morning and arrives at 10:15.',
  'There are 365 days in a year and 24 hours in a day.',
  'Try saying it again, a little more slowly this time.',
  "Don't worry about making mistakes; that's how we learn.",
  'Which would you rather visit, Paris or New York?',
  'We use the present perfect when the time is not finished, for example this week.',
  "You said 'She don't like coffee'; we say 'She doesn't like coffee'.",
  'The meeting is on Monday the 3rd of March at 2 pm.',
  'How long have you been learning English?',
  'When I was a student, I lived in a small flat near the university, and every morning I walked to class along the river, even when it was raining.',
  "Let's practise some questions about travel.",
  'The ticket costs 45 dollars, but children travel for half the price.',
  'Do you prefer tea or coffee in the morning?',
  "You said 'more better'; we just say 'better'.",
  'My favourite colour is blue, and my sister likes green.',
  'Tom and Anna are meeting their teacher at the library.',
  "It's about 12 kilometres from my house to the city centre.",
  'Can you describe what you can see in this picture?',
  "You said 'I am agree'; in English we say 'I agree'.",
  'She was born in 1998 and started school when she was 5.',
  'If it rains tomorrow, we will stay at home and watch a film.',
  "I'd like you to read the first paragraph out loud.",
  'About 60 percent of the students passed the exam on their first try.',
  "Great job today, see you next Thursday at 6 o'clock!",
];

/** Spoken at 1 and at Listen slowly's speed: a time, a correction, a name and a plain question among them. */
export const SLOW_SENTENCES: readonly string[] = [
  'Try saying it again, a little more slowly this time.',
  'The train leaves at 7:30 in the morning and arrives at 10:15.',
  "You said 'more better'; we just say 'better'.",
  'My friend Sarah lives in London with her two brothers.',
  'Could you tell me a little more about your family?',
];
