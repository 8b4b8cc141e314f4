import { describe, expect, it } from 'vitest';
import { netByKind, newObjects, readGraph, retainerPath, type HeapSnapshotJson } from './heap-snapshot.ts';

const NODE_TYPES = [
  'hidden',
  'array',
  'string',
  'object',
  'code',
  'closure',
  'regexp',
  'number',
  'native',
  'synthetic',
];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

interface Node {
  type: string;
  name: string;
  id: number;
  size: number;
  edges: Array<[type: string, name: string | number, to: number]>;
}

/** A snapshot in V8's layout: flat node and edge arrays indexing one string table. */
function snapshot(nodes: Node[]): HeapSnapshotJson {
  const strings: string[] = [];
  const string = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  for (const n of nodes) {
    flatNodes.push(NODE_TYPES.indexOf(n.type), string(n.name), n.id, n.size, n.edges.length, 0, 0);
    for (const [type, name, to] of n.edges) {
      flatEdges.push(EDGE_TYPES.indexOf(type), typeof name === 'number' ? name : string(name), to * 7);
    }
  }
  return {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
        node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
      },
    },
    nodes: flatNodes,
    edges: flatEdges,
    strings,
  };
}

const root = (edges: Node['edges']): Node => ({ type: 'synthetic', name: '', id: 1, size: 0, edges });
const before = snapshot([
  root([['property', 'window', 1]]),
  { type: 'object', name: 'Window', id: 3, size: 100, edges: [['property', 'messages', 2]] },
  { type: 'array', name: '', id: 5, size: 16, edges: [] },
]);
const after = snapshot([
  root([['property', 'window', 1]]),
  { type: 'object', name: 'Window', id: 3, size: 100, edges: [['property', 'messages', 2]] },
  {
    type: 'array',
    name: '',
    id: 5,
    size: 32,
    edges: [
      ['element', 0, 3],
      ['element', 1, 4],
      ['weak', 'cache', 5],
    ],
  },
  { type: 'object', name: 'Message', id: 7, size: 40, edges: [['property', 'speak', 6]] },
  { type: 'object', name: 'Message', id: 9, size: 40, edges: [] },
  { type: 'object', name: 'Message', id: 11, size: 40, edges: [] },
  { type: 'closure', name: 'speak', id: 13, size: 32, edges: [] },
]);

describe('heap snapshots', () => {
  it('counts the objects the later snapshot has that the earlier did not, by constructor', () => {
    expect(newObjects(readGraph(before), readGraph(after))).toEqual([
      { group: 'Message', count: 3, bytes: 120 },
      { group: '(closure)', count: 1, bytes: 32 },
    ]);
  });

  it('says how a new object is kept alive, from the root, and nothing for one held only weakly', () => {
    const graph = readGraph(after);
    expect(retainerPath(graph, 4)).toEqual(['window → Window', 'messages → (array)', '[1] → Message']);
    expect(retainerPath(graph, 6)).toEqual([
      'window → Window',
      'messages → (array)',
      '[0] → Message',
      'speak → (closure) speak',
    ]);
    expect(retainerPath(graph, 5)).toEqual([]);
  });

  it('nets out what was replaced: growth by kind, compiled code apart from the data', () => {
    const changes = netByKind(readGraph(before), readGraph(after));
    const byKind = Object.fromEntries(changes.map((c) => [c.kind, c.after - c.before]));
    expect(byKind).toMatchObject({ objects: 120, arrays: 16, closures: 32 });
    expect(changes[0]).toEqual({ kind: 'objects', before: 100, after: 220 });
  });
});
