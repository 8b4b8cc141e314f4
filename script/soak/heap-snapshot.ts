/**
 * Reads V8 heap snapshots (the .heapsnapshot JSON DevTools saves, and `npm run soak --
 * --heap-snapshots DIR` writes) far enough to say what a later snapshot holds that an earlier one
 * did not: the objects that are new (V8 keeps an object's id across the snapshots of one session),
 * grouped as DevTools' Summary groups them, and how one of them is kept alive.
 */

export interface HeapSnapshotJson {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapNode {
  index: number;
  type: string;
  name: string;
  id: number;
  selfSize: number;
}

export interface HeapGraph {
  nodes: HeapNode[];
  /** For each node, what it references, with the reference's name (weak references left out). */
  references: Array<Array<{ to: number; edge: string }>>;
}

export function readGraph(json: HeapSnapshotJson): HeapGraph {
  const { meta } = json.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const field = (name: string) => meta.node_fields.indexOf(name);
  const [typeAt, nameAt, idAt, sizeAt, countAt] = ['type', 'name', 'id', 'self_size', 'edge_count'].map(field);
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((n) => meta.edge_fields.indexOf(n));
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];

  const nodes: HeapNode[] = [];
  for (let i = 0; i * nf < json.nodes.length; i++) {
    const at = i * nf;
    nodes.push({
      index: i,
      type: nodeTypes[json.nodes[at + typeAt!]!] ?? 'unknown',
      name: json.strings[json.nodes[at + nameAt!]!] ?? '',
      id: json.nodes[at + idAt!]!,
      selfSize: json.nodes[at + sizeAt!]!,
    });
  }
  const references: HeapGraph['references'] = nodes.map(() => []);
  let edge = 0;
  for (let i = 0; i < nodes.length; i++) {
    const count = json.nodes[i * nf + countAt!]!;
    for (let k = 0; k < count; k++, edge += ef) {
      const type = edgeTypes[json.edges[edge + edgeTypeAt!]!] ?? '';
      if (type === 'weak') continue;
      const nameOrIndex = json.edges[edge + edgeNameAt!]!;
      const name = type === 'element' || type === 'hidden' ? `[${nameOrIndex}]` : (json.strings[nameOrIndex] ?? '');
      const to = json.edges[edge + toAt!]! / nf;
      references[i]!.push({ to, edge: name });
    }
  }
  return { nodes, references };
}

/** DevTools' Summary grouping: objects by constructor, the rest by kind. */
export function groupOf(node: HeapNode): string {
  switch (node.type) {
    case 'object':
    case 'native':
      return node.name.split(' ')[0] ?? node.name;
    case 'closure':
      return '(closure)';
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(string)';
    default:
      return `(${node.type})`;
  }
}

export interface GroupGrowth {
  group: string;
  count: number;
  bytes: number;
}

/** The nodes of `later` whose ids `earlier` does not have, by group, most bytes first. */
export function newObjects(earlier: HeapGraph, later: HeapGraph): GroupGrowth[] {
  const seen = new Set(earlier.nodes.map((n) => n.id));
  const groups = new Map<string, GroupGrowth>();
  for (const node of later.nodes) {
    if (seen.has(node.id)) continue;
    const group = groupOf(node);
    const entry = groups.get(group) ?? { group, count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += node.selfSize;
    groups.set(group, entry);
  }
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes || b.count - a.count);
}

/**
 * For every node, the reference that reaches it first on a breadth-first walk from the snapshot's
 * synthetic root (node 0): following them back gives each node's shortest chain from a GC root.
 */
export function shortestRetainers(graph: HeapGraph): Array<{ from: number; edge: string } | undefined> {
  const reachedBy: Array<{ from: number; edge: string } | undefined> = new Array(graph.nodes.length);
  const queue = [0];
  const seen = new Uint8Array(graph.nodes.length);
  seen[0] = 1;
  for (let head = 0; head < queue.length; head++) {
    const at = queue[head]!;
    for (const r of graph.references[at] ?? []) {
      if (seen[r.to]) continue;
      seen[r.to] = 1;
      reachedBy[r.to] = { from: at, edge: r.edge };
      queue.push(r.to);
    }
  }
  return reachedBy;
}

const describeStep = (graph: HeapGraph, edge: string, index: number): string => {
  const node = graph.nodes[index]!;
  return `${edge} → ${groupOf(node)} ${node.type === 'object' ? '' : node.name.slice(0, 60)}`.trim();
};

/**
 * The shortest chain of references from a GC root to `index` (root first), as `edge → Group`
 * steps; an empty list when nothing strong retains it.
 */
export function retainerPath(
  graph: HeapGraph,
  index: number,
  reachedBy: ReturnType<typeof shortestRetainers> = shortestRetainers(graph),
): string[] {
  const path: string[] = [];
  for (let at = index; at !== 0; ) {
    const step = reachedBy[at];
    if (!step) return [];
    path.unshift(describeStep(graph, step.edge, at));
    at = step.from;
  }
  return path;
}

/** What a node is to V8: compiled code and its metadata, or the program's data (strings, objects, arrays…). */
export type HeapKind = 'code' | 'strings' | 'objects' | 'arrays' | 'numbers' | 'closures' | 'browser' | 'other';

function kindOf(node: HeapNode): HeapKind {
  switch (node.type) {
    case 'code':
      return 'code';
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return 'strings';
    case 'object':
    case 'regexp':
      return 'objects';
    case 'array':
      return 'arrays';
    case 'number':
    case 'bigint':
      return 'numbers';
    case 'closure':
      return 'closures';
    // Blink's C++ objects: in a snapshot, but not in Runtime.getHeapUsage's JS heap.
    case 'native':
      return 'browser';
    default:
      return 'other';
  }
}

export interface KindChange {
  kind: HeapKind;
  before: number;
  after: number;
}

/**
 * The net change between two snapshots by kind, self sizes in bytes: unlike newObjects(), objects that replaced
 * others (a re-rendered view) cancel out, so what is left is what grew. Tells the program's data growing from V8
 * compiling more of the program as it runs (more functions reaching its optimising tiers).
 */
export function netByKind(earlier: HeapGraph, later: HeapGraph): KindChange[] {
  const totals = (graph: HeapGraph) => {
    const sums = new Map<HeapKind, number>();
    for (const node of graph.nodes) sums.set(kindOf(node), (sums.get(kindOf(node)) ?? 0) + node.selfSize);
    return sums;
  };
  const a = totals(earlier);
  const b = totals(later);
  const kinds = [...new Set([...a.keys(), ...b.keys()])];
  return kinds
    .map((kind) => ({ kind, before: a.get(kind) ?? 0, after: b.get(kind) ?? 0 }))
    .sort((x, y) => y.after - y.before - (x.after - x.before));
}
