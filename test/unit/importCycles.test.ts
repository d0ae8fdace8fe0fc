/**
 * No import cycles among src/ modules. Every kind of import counts: static, `export … from`, type-only
 * (a type cycle still ties two modules' designs together) and dynamic `import()` (lazy loading hides a
 * cycle at activation, not in the design).
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const REPO = resolve(__dirname, '..', '..', '..');
const SRC = join(REPO, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function resolveModule(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

/** The relative modules a file imports, by path. */
function importsOf(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      specifiers.push(node.moduleSpecifier.text);
    else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    )
      specifiers.push(node.moduleReference.expression.text);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      specifiers.push(node.arguments[0].text);
    else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    )
      specifiers.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [
    ...new Set(
      specifiers.map((specifier) => resolveModule(file, specifier)).filter((path): path is string => Boolean(path)),
    ),
  ];
}

/** Tarjan's strongly connected components; returns those that form a cycle (more than one node, or a self-import). */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  // Iterative, so a deep import chain cannot overflow the call stack.
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const target = edges[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || edges.includes(frame.node)) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

function sourceGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC))
    graph.set(
      relative(REPO, file),
      importsOf(file, readFileSync(file, 'utf8')).map((path) => relative(REPO, path)),
    );
  return graph;
}

describe('import cycles', () => {
  it('finds cycles in a known graph, and none in an acyclic one', () => {
    const graph = new Map<string, string[]>([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
      ['f', ['d']],
    ]);
    assert.deepEqual(importCycles(graph).sort(), [['a', 'b', 'c'], ['e']]);
    assert.deepEqual(
      importCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
      [],
    );
  });

  it('reads static, re-exported, type-only and dynamic imports', () => {
    const file = join(SRC, 'core', 'runtime', 'runtime.ts');
    const text = [
      "import { a } from '../audit/auditTrail';",
      "import type { b } from '../guardrails/approval';",
      "export { c } from '../operations/preview';",
      "type D = import('../operations/types').Caller;",
      "const e = () => import('../guardrails/policy');",
      "import * as fs from 'node:fs';",
    ].join('\n');
    const imported = importsOf(file, text).map((path) => relative(SRC, path).split('\\').join('/'));
    assert.deepEqual(imported.sort(), [
      'core/audit/auditTrail.ts',
      'core/guardrails/approval.ts',
      'core/guardrails/policy.ts',
      'core/operations/preview.ts',
      'core/operations/types.ts',
    ]);
  });

  it('has no import cycle among the modules in src/', () => {
    const graph = sourceGraph();
    assert.ok(graph.size > 100, `read ${graph.size} modules`);
    const edges = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
    assert.ok(edges > graph.size, `found ${edges} imports`);
    assert.deepEqual(importCycles(graph), [], 'modules that import each other (directly or through others)');
  });

  it("keeps the operation layer independent of the explorer's resource listers", () => {
    const graph = sourceGraph();
    const reaches = [...graph].flatMap(([file, targets]) =>
      file.startsWith(join('src', 'core', 'operations'))
        ? targets
            .filter((target) => target.startsWith(join('src', 'core', 'resources')))
            .map((target) => `${file} → ${target}`)
        : [],
    );
    assert.deepEqual(reaches, []);
  });
});
