// A recovery plan whose protection group is in a member account, deployed to Step Functions from the command in
// the real extension host: preflight reads through the member role, the deploy approval names both accounts, and
// the deployed machine's DRS tasks carry the member role (Credentials.RoleArn). The host stack's DRS emulator does
// not keep accounts apart (the member account's servers point at launch templates of the default account, so a
// run's preflight refuses): the drill itself, and which account its job lands in, are driven by
// test/integration/dr-step-functions-cross-account.test.ts.
import * as assert from 'node:assert/strict';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';
import type { ApprovalProvider } from '../../src/core/guardrails/approval';
import { emulatorEndpoint, pilotLight, removeDrFiles, stopApproving, writeDrFile } from './support/dr';

const MEMBER = '210987654321';
const ROLE = 'OrganizationAccountAccessRole';
const ROLE_ARN = `arn:aws:iam::${MEMBER}:role/${ROLE}`;
const REGION = 'us-east-1';
const TESTING = { accessKeyId: 'testing', secretAccessKey: 'testing' };

const GROUP = [
  'schemaVersion: 2',
  'kind: ProtectionGroup',
  'name: ht-xsfn-db',
  'region: us-east-1',
  `account: "${MEMBER}"`,
  'selection:',
  '  tags: { Role: db }',
  '',
].join('\n');
const PLAN = [
  'schemaVersion: 2',
  'kind: RecoveryPlan',
  'name: ht-xsfn',
  'waves:',
  '  - name: db',
  '    protectionGroups: [ht-xsfn-db]',
  '',
].join('\n');

describe('Step Functions plan acting in a member account, in the extension host', function () {
  this.timeout(180_000);
  let api: PilotLightTestApi;
  const written: string[] = [];
  const previews: { operation: string; changes: string[] }[] = [];

  before(async () => {
    api = await pilotLight();
    const provider: ApprovalProvider = {
      id: 'host-test',
      kind: 'interactive',
      async requestApproval(request) {
        previews.push({ operation: request.operationId, changes: request.preview.changes });
        return { approved: true, approver: 'host-test', typedConfirmation: request.requiredConfirmation };
      },
    };
    api.ctx!.safety.approvalOverride = provider;
    api.testing?.setApprovalProvider(provider);
    // The member role, trusting the management (default) account, as AWS Organizations creates it.
    const sts = new STSClient({ endpoint: emulatorEndpoint(), region: REGION, credentials: TESTING });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'seed' }));
    sts.destroy();
    const iam = new IAMClient({
      endpoint: emulatorEndpoint(),
      region: REGION,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken,
      },
    });
    await iam
      .send(
        new CreateRoleCommand({
          RoleName: ROLE,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' },
            ],
          }),
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'EntityAlreadyExistsException') throw error;
      });
    iam.destroy();
    written.push(writeDrFile('groups/ht-xsfn-db.protection-group.yaml', GROUP));
    written.push(writeDrFile('plans/ht-xsfn.recovery-plan.yaml', PLAN));
    await vscode.workspace
      .getConfiguration('pilotLight')
      .update('dr.stepFunctionsPollSeconds', 1, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    stopApproving(api);
    await vscode.workspace
      .getConfiguration('pilotLight')
      .update('dr.stepFunctionsPollSeconds', undefined, vscode.ConfigurationTarget.Workspace);
    removeDrFiles(written);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('deploys from the command with the member role on its DRS tasks; the approval names both accounts', async () => {
    const planUri = vscode.Uri.file(written[1]);
    const deployed = await vscode.commands.executeCommand<{ status: string; stackName: string }>(
      'pilotLight.dr.deployToStepFunctions',
      planUri,
    );
    assert.equal(deployed?.status, 'succeeded', api.dr.lastError?.message);
    const approval = previews.find((p) => p.operation === 'cloudformation.stacks.deployRecoveryPlan');
    assert.ok(approval, `the deploy of production servers asks for an approval: ${JSON.stringify(previews)}`);
    assert.ok(
      approval.changes.some((line) =>
        new RegExp(`^Runs in account \\d{12}, acts in account ${MEMBER} through role/${ROLE}$`).test(line),
      ),
      approval.changes.join('\n'),
    );

    const cfn = new CloudFormationClient({ endpoint: emulatorEndpoint(), region: REGION, credentials: TESTING });
    const sfn = new SFNClient({ endpoint: emulatorEndpoint(), region: REGION, credentials: TESTING });
    try {
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: deployed.stackName }))).Stacks![0];
      const machineArn = stack.Outputs!.find((o) => o.OutputKey === 'StateMachineArn')!.OutputValue!;
      const definition = (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }))).definition!;
      assert.ok(definition.includes(`"RoleArn": "${ROLE_ARN}"`), 'the DRS tasks assume the member role');
    } finally {
      cfn.destroy();
      sfn.destroy();
    }
  });
});
