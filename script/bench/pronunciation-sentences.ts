/**
 * bench:pronunciation's material: sentences of 8–12 words, each holding one word with a minimal-pair partner
 * for a sound Chinese speakers of English find hard. The voice says each as written and with the word swapped
 * for its partner (the learner "says" sink where the text says think); the judge hears both against the text
 * as written.
 */
export interface PairSentence {
  text: string;
  /** The word as written in `text` (it occurs there once). */
  word: string;
  /** What the voice says instead. */
  swap: string;
}

export const PAIR_SENTENCES: readonly PairSentence[] = [
  // /θ/ said as /s/, /f/ or /t/
  { text: 'I think we should leave before the rain starts', word: 'think', swap: 'sink' },
  { text: 'We walked along the narrow path behind the old church', word: 'path', swap: 'pass' },
  { text: 'She gave me a thick book about ancient history', word: 'thick', swap: 'sick' },
  { text: 'Please open your mouth and say it slowly again', word: 'mouth', swap: 'mouse' },
  { text: 'He cut his thumb while he was cooking dinner', word: 'thumb', swap: 'sum' },
  { text: 'I want to thank you for helping me yesterday', word: 'thank', swap: 'sank' },
  { text: 'There were three small boats waiting near the beach', word: 'three', swap: 'free' },
  { text: 'The soup was too thin so we added some rice', word: 'thin', swap: 'fin' },
  { text: 'I thought the film would be much longer than that', word: 'thought', swap: 'fought' },
  { text: 'She lost her faith in the plan after the meeting', word: 'faith', swap: 'face' },
  // /ð/ said as /d/ or /z/
  { text: 'I hope they will call us when the train arrives', word: 'they', swap: 'day' },
  { text: 'We had lunch and then we went back to work', word: 'then', swap: 'den' },
  { text: 'Try to breathe slowly before you start to speak', word: 'breathe', swap: 'breed' },
  { text: 'My brother always wears those old boots in winter', word: 'those', swap: 'doze' },
  // /v/ said as /w/, /b/ or /f/
  { text: 'The museum was very quiet on Monday morning', word: 'very', swap: 'berry' },
  { text: 'He bought a new vest for the wedding next week', word: 'vest', swap: 'west' },
  { text: 'They grow the grapes on a vine behind the house', word: 'vine', swap: 'wine' },
  { text: 'Everyone will vote for a new leader next month', word: 'vote', swap: 'boat' },
  { text: 'We took the dog to the vet after lunch today', word: 'vet', swap: 'wet' },
  { text: 'I left my bag in the van outside the station', word: 'van', swap: 'ban' },
  { text: 'You should never leave your phone on the table', word: 'leave', swap: 'leaf' },
  // /w/ said as /v/
  { text: 'They sell cheap wine in the shop near my flat', word: 'wine', swap: 'vine' },
  { text: 'The sun sets in the west behind those hills', word: 'west', swap: 'vest' },
  { text: 'My shoes got wet when we walked home in the rain', word: 'wet', swap: 'vet' },
  // /l/ and /r/, /l/ and /n/
  { text: 'Please turn on the light before you go upstairs', word: 'light', swap: 'right' },
  { text: 'It was a long day and everyone was very tired', word: 'long', swap: 'wrong' },
  { text: 'Could you fill this glass with cold water please', word: 'glass', swap: 'grass' },
  { text: 'The birds fly south when the weather gets cold', word: 'fly', swap: 'fry' },
  { text: 'The children play in the park after school every day', word: 'play', swap: 'pray' },
  { text: 'Remember to lock the door when you go out', word: 'lock', swap: 'rock' },
  { text: 'The teacher asked us to collect the books after class', word: 'collect', swap: 'correct' },
  { text: 'He wants to read the letter again before he answers', word: 'read', swap: 'lead' },
  { text: 'We could hear the rain on the roof all night', word: 'rain', swap: 'lane' },
  { text: 'She could not sleep because the night was so hot', word: 'night', swap: 'light' },
  { text: 'Please pass me the knife so I can cut the bread', word: 'knife', swap: 'life' },
  { text: 'The price was low so we bought two of them', word: 'low', swap: 'no' },
  // /iː/ and /ɪ/
  { text: 'The farmer keeps a few sheep on the hill behind the farm', word: 'sheep', swap: 'ship' },
  { text: 'Please take a seat and wait for your name', word: 'seat', swap: 'sit' },
  { text: 'I could feel the cold wind coming through the window', word: 'feel', swap: 'fill' },
  { text: 'My heel hurts after walking around the city all day', word: 'heel', swap: 'hill' },
  { text: 'We usually eat dinner together at seven in the evening', word: 'eat', swap: 'it' },
  { text: 'I want to live near the sea when I retire', word: 'live', swap: 'leave' },
  { text: 'The big ship left the harbour early this morning', word: 'ship', swap: 'sheep' },
  { text: 'Please sit down and tell me about your trip', word: 'sit', swap: 'seat' },
  { text: 'Could you fill the bottle with water before we leave', word: 'fill', swap: 'feel' },
  // /æ/ and /e/
  { text: 'The weather was bad so we stayed at home', word: 'bad', swap: 'bed' },
  { text: 'The man at the desk gave me a map of the town', word: 'man', swap: 'men' },
  { text: 'She looked sad when she heard the news this morning', word: 'sad', swap: 'said' },
  { text: 'Put the pan on the stove and heat the oil', word: 'pan', swap: 'pen' },
  { text: 'He carried a heavy bag all the way to the station', word: 'bag', swap: 'beg' },
  { text: 'I went to bed early because I was very tired', word: 'bed', swap: 'bad' },
  { text: 'Can I borrow your pen for a moment please', word: 'pen', swap: 'pan' },
  // final consonants left out
  { text: 'I need a new card for the bank machine', word: 'card', swap: 'car' },
  { text: 'Please plant the seed in the corner of the garden', word: 'seed', swap: 'see' },
  { text: 'We made a cake for her birthday last weekend', word: 'made', swap: 'may' },
  { text: 'The river is very wide near the old bridge', word: 'wide', swap: 'why' },
  { text: 'He wrote a short note and left it on the table', word: 'note', swap: 'no' },
  // consonant clusters reduced
  { text: 'The black cat slept on the warm kitchen floor', word: 'black', swap: 'back' },
  { text: 'The bus will stop in front of the library', word: 'stop', swap: 'top' },
  { text: 'We bought fresh bread from the bakery this morning', word: 'bread', swap: 'bed' },
];

/** The sentence with its word swapped for the partner; throws if the word is not in it exactly once. */
export function swapped(sentence: PairSentence): string {
  const words = sentence.text.split(' ');
  const at = words.flatMap((w, i) => (w.toLowerCase() === sentence.word ? [i] : []));
  if (at.length !== 1) throw new Error(`"${sentence.word}" is in "${sentence.text}" ${at.length} times`);
  words[at[0]!] = sentence.swap;
  return words.join(' ');
}

/** The index of the swapped word among the sentence's words. */
export function swapIndex(sentence: PairSentence): number {
  return sentence.text
    .split(' ')
    .map((w) => w.toLowerCase())
    .indexOf(sentence.word);
}

/**
 * Attempts of exactly twelve words, the length issue 20's speed line is set for: bench:pronunciation times the
 * judge on each said as written (and, separately, bringing its 48 kHz recording to 16 kHz first).
 */
export const TWELVE_WORD_SENTENCES: readonly string[] = [
  'I think we should leave early because the rain will start soon',
  'My brother always walks to the village with three of his friends',
  'Please put the heavy bag on the table near the kitchen window',
  'We usually read a long story before the children go to sleep',
  'The weather was very cold so they stayed at home all weekend',
  'She bought a new red dress for the wedding in the spring',
  'Could you tell me the way to the bank on this street',
  'They sell fresh fish and vegetables at the market every Thursday morning',
  'He left his black wallet in the back seat of the car',
  'The farmer keeps sheep and goats on the hill behind his house',
];
