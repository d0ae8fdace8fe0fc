// Launch-template versions and DRS launch configurations through the LM tools' write split (a dry-run tool,
// a write tool with VS Code's confirmation, a delete tool) and through @aws chat driven by the scripted fake
// model; the runner's guardrails ask for the approval (the sample account is production).
import * as assert from 'node:assert/strict';
import {
  DescribeSourceServersCommand,
  DrsClient,
  GetLaunchConfigurationCommand,
  UpdateLaunchConfigurationCommand,
} from '@aws-sdk/client-drs';
import {
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplateVersionsCommand,
} from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import { fakeChat } from './support/fakeChatModel';
import {
  approving,
  ask,
  denying,
  ec2,
  endpoint,
  newChat,
  SAMPLE_REGION,
  testing,
  useTempAuditTrail,
  waitFor,
} from './support/safety';

const TEMPLATE_NAME = `lt-chat-host-${Date.now().toString(36)}`;

describe('launch templates and DRS launch settings through the LM tools and @aws chat', function () {
  this.timeout(120_000);
  let trail: Awaited<ReturnType<typeof useTempAuditTrail>>;
  let templateId: string;
  let drs: DrsClient;
  let serverId: string;
  let initial: { copyTags?: boolean; launchDisposition?: string };

  const versions = async () =>
    (await ec2(SAMPLE_REGION).send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId })))
      .LaunchTemplateVersions ?? [];
  const launchConfiguration = () => drs.send(new GetLaunchConfigurationCommand({ sourceServerID: serverId }));
  const tool = async (name: string, input: object) => {
    const { testing: hooks } = await testing();
    const { confirmation, result } = await hooks.invokeToolDirectly(name, input);
    return { confirmation: confirmation ?? '', result: JSON.parse(result) as Record<string, any> };
  };
  const newVersion = (instanceType: string) => ({
    operation: 'ec2.launchTemplates.createVersion',
    input: { launchTemplateId: templateId, sourceVersion: 1, launchTemplateData: { InstanceType: instanceType } },
  });

  before(async () => {
    trail = await useTempAuditTrail();
    templateId = (
      await ec2(SAMPLE_REGION).send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: TEMPLATE_NAME,
          LaunchTemplateData: { InstanceType: 't3.micro', ImageId: 'ami-12c6146b' },
          TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'Environment', Value: 'production' }] }],
        }),
      )
    ).LaunchTemplate!.LaunchTemplateId!;
    drs = new DrsClient({
      endpoint: endpoint(),
      region: SAMPLE_REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const listed = await drs.send(new DescribeSourceServersCommand({ filters: {} }));
    const server = (listed.items ?? []).find((candidate) => candidate.tags?.Environment === 'production');
    assert.ok(server?.sourceServerID, 'the sample account has a production source server');
    serverId = server.sourceServerID;
    initial = await launchConfiguration();
    await (await fakeChat()).reset();
    await newChat();
  });

  afterEach(async () => (await testing()).testing.setApprovalProvider(undefined));

  after(async () => {
    await ec2(SAMPLE_REGION)
      .send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: templateId }))
      .catch(() => undefined);
    await drs
      .send(
        new UpdateLaunchConfigurationCommand({
          sourceServerID: serverId,
          copyTags: initial.copyTags ?? false,
          launchDisposition: initial.launchDisposition as 'STARTED' | 'STOPPED' | undefined,
        }),
      )
      .catch(() => undefined);
    drs.destroy();
    await trail.restore();
    await (await fakeChat()).reset();
    await newChat();
  });

  it('LM tools: a dry-run tool previews a new version, the write tool confirms and needs the approval, reads never write', async () => {
    const { testing: hooks } = await testing();
    const preview = await tool('pilotLight_previewChange', newVersion('t3.large'));
    assert.equal(preview.result.status, 'dry-run', JSON.stringify(preview.result));
    assert.match(JSON.stringify(preview.result), /InstanceType: \\"t3\.micro\\" → \\"t3\.large\\"/);
    assert.equal((await versions()).length, 1, 'a dry-run creates nothing');

    hooks.setApprovalProvider(denying());
    const refused = await tool('pilotLight_modifyResources', newVersion('t3.large'));
    assert.match(refused.confirmation, /Account.*\d{12}.*Region.*us-east-1.*Environment.*production \(protected\)/s);
    assert.match(refused.confirmation, /Approval required/);
    assert.match(refused.confirmation, /InstanceType/);
    assert.equal(refused.result.status, 'refused');
    assert.equal((await versions()).length, 1);

    const approvals = approving();
    hooks.setApprovalProvider(approvals);
    const created = await tool('pilotLight_modifyResources', newVersion('t3.large'));
    assert.equal(created.result.status, 'succeeded', JSON.stringify(created.result));
    assert.equal(approvals.requests[0]?.caller, 'lm-tool');
    const after = await versions();
    assert.equal(after.length, 2, 'exactly one version');
    const second = after.find((version) => version.VersionNumber === 2);
    assert.equal(second?.LaunchTemplateData?.InstanceType, 't3.large');
    assert.equal(second?.LaunchTemplateData?.ImageId, 'ami-12c6146b', 'SourceVersion kept the other fields');

    // The split: reads cannot write, the write tool cannot delete; deleting a version is the delete tool's.
    const deleteVersion = {
      operation: 'ec2.launchTemplates.deleteVersions',
      input: { launchTemplateId: templateId, versions: [2] },
    };
    assert.equal((await tool('pilotLight_readResources', newVersion('t3.xlarge'))).result.status, 'not-allowed');
    assert.equal((await tool('pilotLight_modifyResources', deleteVersion)).result.status, 'not-allowed');
    assert.equal((await versions()).length, 2);
    const deleted = await tool('pilotLight_deleteResources', deleteVersion);
    assert.equal(deleted.result.status, 'succeeded', JSON.stringify(deleted.result));
    assert.deepEqual(
      (await versions()).map((version) => version.VersionNumber),
      [1],
    );

    const records = trail.records().filter((record) => record.caller === 'lm-tool');
    assert.ok(records.some((r) => r.operation === 'ec2.launchTemplates.createVersion' && r.outcome === 'refused'));
    assert.ok(records.some((r) => r.operation === 'ec2.launchTemplates.createVersion' && r.outcome === 'succeeded'));
    assert.ok(records.some((r) => r.operation === 'ec2.launchTemplates.deleteVersions' && r.outcome === 'succeeded'));
  });

  it('@aws chat: the model changes a DRS launch configuration only after the tool confirmation and the approval', async () => {
    const fake = await fakeChat();
    const { testing: hooks } = await testing();
    const approvals = approving();
    hooks.setApprovalProvider(approvals);
    const wanted = !(initial.copyTags ?? false);
    await fake.setScript([
      [
        { text: 'I will change the launch settings.' },
        {
          toolCall: {
            name: 'pilotLight_modifyResources',
            input: {
              operation: 'drs.launchConfiguration.update',
              input: { sourceServerId: serverId, copyTags: wanted },
            },
            callId: 'drs-1',
          },
        },
      ],
      [{ text: 'Done.' }],
    ]);
    const events = () => hooks.toolEvents().filter((event) => event.tool === 'pilotLight_modifyResources');
    const seen = events().length;
    const chat = ask(`@aws set copy tags ${wanted ? 'on' : 'off'} for ${serverId}`);
    const prepared = await waitFor('the tool confirmation', () =>
      events()
        .slice(seen)
        .find((event) => event.phase === 'prepare'),
    );
    assert.match(prepared.text, /Environment.*production \(protected\)/s);
    assert.match(prepared.text, new RegExp(serverId));
    assert.match(prepared.text, /copyTags/);
    assert.equal(
      (await launchConfiguration()).copyTags ?? false,
      initial.copyTags ?? false,
      'nothing before confirming',
    );

    let invoked: ReturnType<typeof events>[number] | undefined;
    const deadline = Date.now() + 20_000;
    while (!invoked && Date.now() < deadline) {
      await vscode.commands.executeCommand('workbench.action.chat.acceptTool');
      await new Promise((resolve) => setTimeout(resolve, 250));
      invoked = events()
        .slice(seen)
        .find((event) => event.phase === 'invoke');
    }
    if (!invoked) await vscode.commands.executeCommand('workbench.action.chat.cancel');
    await chat;
    assert.ok(invoked, 'the confirmation was accepted and the tool ran');
    assert.equal(JSON.parse(invoked.text).status, 'succeeded', invoked.text);
    assert.equal(approvals.requests.length, 1, 'the runner asked for the approval');
    assert.equal(approvals.requests[0].caller, 'lm-tool');
    assert.equal(approvals.requests[0].operationId, 'drs.launchConfiguration.update');
    assert.equal((await launchConfiguration()).copyTags, wanted);
    assert.ok(
      trail
        .records()
        .some(
          (record) =>
            record.operation === 'drs.launchConfiguration.update' &&
            record.outcome === 'succeeded' &&
            record.resourceIds.includes(serverId),
        ),
    );
  });
});
