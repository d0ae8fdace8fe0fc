/** The wave dependency graph: a DAG, checked for unknown references and cycles, ordered topologically. */

export interface GraphNode {
  name: string;
  dependsOn?: string[];
}

/**
 * Finds one dependency cycle, returned as the wave names along it with the first name repeated at the
 * end (["a", "b", "a"] means a depends on b, and b depends on a). Unknown dependencies are ignored here.
 */
export function findCycle(nodes: GraphNode[]): string[] | undefined {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];

  const visit = (name: string): string[] | undefined => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) {
      if (!byName.has(dependency)) continue;
      const seen = state.get(dependency);
      if (seen === 'visiting') return [...stack.slice(stack.indexOf(dependency)), dependency];
      if (seen === undefined) {
        const cycle = visit(dependency);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };

  for (const node of nodes) {
    if (state.has(node.name)) continue;
    const cycle = visit(node.name);
    if (cycle) return cycle;
  }
  return undefined;
}

export function formatCycle(cycle: string[]): string {
  return cycle.join(' → ');
}

/**
 * Orders nodes so that every node comes after its dependencies; among nodes that are ready at the same
 * time, the original order is kept. Throws on a cycle (callers validate first).
 */
export function topologicalOrder<T extends GraphNode>(nodes: T[]): T[] {
  const remaining = new Map(
    nodes.map((node) => [node.name, new Set((node.dependsOn ?? []).filter((d) => nodes.some((n) => n.name === d)))]),
  );
  const ordered: T[] = [];
  while (ordered.length < nodes.length) {
    const ready = nodes.filter((node) => remaining.has(node.name) && remaining.get(node.name)!.size === 0);
    if (ready.length === 0) {
      const cycle = findCycle(nodes);
      throw new Error(`Dependency cycle: ${cycle ? formatCycle(cycle) : 'unknown'}`);
    }
    for (const node of ready) {
      ordered.push(node);
      remaining.delete(node.name);
    }
    for (const dependencies of remaining.values()) for (const node of ready) dependencies.delete(node.name);
  }
  return ordered;
}

/** Dependency depth of each node: 0 for roots, 1 + the deepest dependency otherwise. */
export function levels(nodes: GraphNode[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const node of topologicalOrder(nodes)) {
    const depth = Math.max(-1, ...(node.dependsOn ?? []).map((d) => result.get(d) ?? -1)) + 1;
    result.set(node.name, depth);
  }
  return result;
}

/** Every node reachable from `name` along dependsOn edges (its transitive dependencies). */
export function ancestors(nodes: GraphNode[], name: string): Set<string> {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const seen = new Set<string>();
  const walk = (current: string): void => {
    for (const dependency of byName.get(current)?.dependsOn ?? []) {
      if (seen.has(dependency)) continue;
      seen.add(dependency);
      walk(dependency);
    }
  };
  walk(name);
  return seen;
}
