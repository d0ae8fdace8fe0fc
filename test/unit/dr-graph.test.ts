import * as assert from 'node:assert/strict';
import { ancestors, findCycle, formatCycle, levels, topologicalOrder } from '../../src/core/dr/graph';

describe('DR wave graph', () => {
  const nodes = [
    { name: 'web', dependsOn: ['app', 'cache'] },
    { name: 'app', dependsOn: ['db'] },
    { name: 'cache' },
    { name: 'db' },
  ];

  it('orders dependencies first and keeps file order among ready waves', () => {
    assert.deepEqual(
      topologicalOrder(nodes).map((n) => n.name),
      ['cache', 'db', 'app', 'web'],
    );
  });

  it('computes levels for parallel waves', () => {
    assert.deepEqual(Object.fromEntries(levels(nodes)), { cache: 0, db: 0, app: 1, web: 2 });
  });

  it('finds no cycle in a DAG, and names a cycle when there is one', () => {
    assert.equal(findCycle(nodes), undefined);
    const cycle = findCycle([...nodes.slice(0, 3), { name: 'db', dependsOn: ['web'] }]);
    assert.deepEqual(cycle, ['web', 'app', 'db', 'web']);
    assert.equal(formatCycle(cycle!), 'web → app → db → web');
    assert.throws(
      () =>
        topologicalOrder([
          { name: 'a', dependsOn: ['b'] },
          { name: 'b', dependsOn: ['a'] },
        ]),
      /a → b → a/,
    );
  });

  it('lists transitive dependencies', () => {
    assert.deepEqual([...ancestors(nodes, 'web')].sort(), ['app', 'cache', 'db']);
  });
});
