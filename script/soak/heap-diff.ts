/**
 * What a later heap snapshot holds that an earlier one (of the same target, same run) did not:
 *
 *   npx tsx script/soak/heap-diff.ts EARLIER.heapsnapshot LATER.heapsnapshot [--top 25] [--paths GROUP]
 *
 * Prints the new objects by group (constructor, or kind), most bytes first, then the net change by kind (compiled
 * code against the program's data), and with --paths GROUP
 * how that group's new objects are kept alive (the end of each one's shortest chain from a GC root,
 * counted).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  groupOf,
  netByKind,
  newObjects,
  readGraph,
  retainerPath,
  shortestRetainers,
  type HeapSnapshotJson,
} from './heap-snapshot.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string' }, paths: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help || positionals.length !== 2) {
  console.info(
    'Usage: npx tsx script/soak/heap-diff.ts EARLIER.heapsnapshot LATER.heapsnapshot [--top N] [--paths GROUP]',
  );
  process.exit(values.help ? 0 : 2);
}
const load = async (file: string) => readGraph(JSON.parse(await readFile(file, 'utf8')) as HeapSnapshotJson);
const [earlier, later] = await Promise.all(positionals.map(load));
const growth = newObjects(earlier!, later!);
const total = growth.reduce((sum, g) => sum + g.bytes, 0);
console.info(
  `${growth.reduce((sum, g) => sum + g.count, 0)} new objects, ${(total / 1024).toFixed(1)} KB (self sizes)`,
);
for (const g of growth.slice(0, Number(values.top ?? 25))) {
  console.info(`${(g.bytes / 1024).toFixed(1).padStart(9)} KB ${String(g.count).padStart(7)}  ${g.group}`);
}
// New objects include those that only replaced others; the net change by kind is what actually grew.
console.info('\nnet change by kind (self sizes; "browser" is Blink\'s C++ heap, outside the JS heap the soak judges):');
for (const change of netByKind(earlier!, later!)) {
  const delta = (change.after - change.before) / 1024;
  console.info(
    `${(delta >= 0 ? '+' : '') + delta.toFixed(1)} KB`.padStart(12) +
      `  ${change.kind.padEnd(9)} ${(change.before / 1024).toFixed(0)} → ${(change.after / 1024).toFixed(0)} KB`,
  );
}
if (values.paths) {
  // The last steps of each new object's chain from a root, counted: a leak shows as one chain many times.
  const seen = new Set(earlier!.nodes.map((n) => n.id));
  const reachedBy = shortestRetainers(later!);
  const chains = new Map<string, number>();
  const fresh = later!.nodes.filter((n) => !seen.has(n.id) && groupOf(n) === values.paths);
  for (const node of fresh) {
    // Which element of an array holds it does not matter: the array does.
    const steps = retainerPath(later!, node.index, reachedBy).map((step) => step.replace(/\[\d+\]/g, '[…]'));
    const chain = steps.slice(-6).join('\n    ') || '(held by nothing strong)';
    chains.set(chain, (chains.get(chain) ?? 0) + 1);
  }
  console.info(`\n${fresh.length} new ${values.paths}, by the end of their shortest chain from a GC root:`);
  for (const [chain, count] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    console.info(`${String(count).padStart(7)}  …\n    ${chain}`);
  }
}
