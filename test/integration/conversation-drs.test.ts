import * as assert from 'node:assert/strict';
import { answerResources, type AnswerContext } from '../../src/core/conversation/answers';
import { READ_OPERATIONS } from '../../src/core/agent/toolCatalog';
import { compactReadOutput } from '../../src/core/agent/toolResults';
import { ConversationSession } from '../../src/core/conversation/session';
import { DrsEmulatorAdmin } from '../../tools/emulators/drs/adminClient';
import { emulatorConnection } from '../support/connection';
import { emulatorStack, resetAndSeed, useEmulatorStack } from '../support/emulators';
import { readsThroughRunner } from '../support/resourceReads';

useEmulatorStack();

const resolveEnvironment = (tags: Record<string, string>) => ({
  name: tags.Environment ?? 'unknown',
  protected: tags.Environment === 'production',
});

describe('conversation: DRS resources through registered reads', function () {
  this.timeout(60_000);

  it('answers "which source servers are stalled?" from the DRS emulator, and the read tool compacts DRS pages', async () => {
    const summary = await resetAndSeed('sample');
    const servers = Object.values(summary.sample!.servers);
    const admin = new DrsEmulatorAdmin(emulatorStack().endpoint);
    const reads = readsThroughRunner(await emulatorConnection());
    const region = emulatorStack().region;
    const page = await reads.read<{
      items: Array<{ sourceServerID: string; sourceProperties?: { identificationHints?: { hostname?: string } } }>;
    }>('drs.sourceServers.list', {}, region);
    const stalled = page.items.find((item) => item.sourceProperties?.identificationHints?.hostname === servers[0].name);
    assert.ok(stalled, `a source server for ${servers[0].name}`);
    await admin.setReplicationState(stalled.sourceServerID, { state: 'STALLED', error: 'AGENT_NOT_SEEN' });

    const ctx: AnswerContext = {
      read: (operationId, input) => reads.read(operationId, input, region),
      dryRun: async () => assert.fail('a question makes no change'),
      region,
      resolveEnvironment,
      session: ConversationSession.fromTurns([]),
    };
    const answer = await answerResources(ctx, 'which source servers are stalled?');
    assert.match(answer.markdown, new RegExp(servers[0].name));
    for (const other of servers.slice(1))
      assert.doesNotMatch(answer.markdown, new RegExp(`\\b${other.name}\\b`), `${other.name} replicates normally`);
    assert.deepEqual(
      answer.touched.map((ref) => [ref.type, ref.id]),
      [['drs:source-server', stalled.sourceServerID]],
    );

    assert.ok((READ_OPERATIONS as readonly string[]).includes('drs.jobs.list'), 'the read tool offers DRS reads');
    const compact = compactReadOutput(
      'drs.sourceServers.list',
      await reads.read('drs.sourceServers.list', {}, region),
      region,
      resolveEnvironment,
    );
    assert.equal(compact.count, servers.length);
    const items = (compact.data as { items: Array<{ id: string; name: string; state: string; environment: string }> })
      .items;
    assert.deepEqual(items.find((item) => item.id === stalled.sourceServerID)?.state, 'STALLED');
    assert.ok(
      items.every((item) => item.environment === 'production'),
      'environments come from the servers’ tags',
    );
  });
});
