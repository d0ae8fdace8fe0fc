// `@aws /compliance` in the real VS Code host, without a language model: the checks run through the extension's
// registry reads against the emulators and the answer tables the failing rules and lists what was not checked.
import * as assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
} from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import { fakeChat } from './support/fakeChatModel';
import { askAws, ec2, newChat, plain, SAMPLE_REGION, SCRATCH_REGION, setSetting } from './support/safety';

describe('@aws /compliance', function () {
  this.timeout(120_000);
  let groupId: string;

  before(async () => {
    await (await fakeChat()).reset();
    await setSetting('region', SCRATCH_REGION);
    const client = ec2();
    try {
      groupId = (
        await client.send(
          new CreateSecurityGroupCommand({ GroupName: 'ht-compliance-rdp', Description: 'RDP from anywhere' }),
        )
      ).GroupId!;
      await client.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
    } finally {
      client.destroy();
    }
    await newChat();
  });

  after(async () => {
    const client = ec2();
    await client.send(new DeleteSecurityGroupCommand({ GroupId: groupId })).catch(() => undefined);
    client.destroy();
    await setSetting('region', SAMPLE_REGION);
    await newChat();
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
  });

  it('answers with the failing rules and the checks that did not run, without a model', async () => {
    const answer = await askAws('@aws /compliance');
    const text = plain(answer.markdown);
    assert.match(text, /Compliance: \d+ failing rules?/);
    assert.match(
      text,
      /No security group opens admin ports or all traffic to the world \| cis\.securityGroupOpenToWorld \| 1 \| ht-compliance-rdp/,
    );
    assert.match(text, /S3 Block Public Access is on for the account \| cis\.s3AccountPublicAccessBlock/);
    assert.match(text, /Not checked.*these are not passes/);
    assert.match(text, /Resources carry the tags the tag policy requires \(not run\): No tag policy/);
    assert.match(text, new RegExp(`account \`\\d{12}\`, \`${SCRATCH_REGION}\``));
    assert.deepEqual(await (await fakeChat()).requests(), []);
  });
});
