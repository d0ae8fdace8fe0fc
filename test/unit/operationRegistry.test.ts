import * as assert from 'node:assert/strict';
import { createOperationRegistry, formatPreview, type OperationPreview } from '../../src/core/operations';
import { parseCidr, subnetCidr } from '../../src/core/operations/ec2/vpcs';
import { exposureWarnings } from '../../src/core/operations/ec2/securityGroups';
import {
  broadPermissionWarnings,
  policyDocumentSchema,
  trustPolicyWarnings,
} from '../../src/core/operations/iamPolicyDocument';
import { instanceSizeRank } from '../../src/core/operations/costs';

const registry = createOperationRegistry();

const EXPECTED_WRITES = [
  'ec2.instances.start',
  'ec2.instances.stop',
  'ec2.instances.reboot',
  'ec2.instances.terminate',
  'ec2.instances.changeType',
  'ec2.instances.launchFromTemplate',
  'ec2.securityGroups.create',
  'ec2.securityGroups.authorizeIngress',
  'ec2.securityGroups.revokeIngress',
  'ec2.securityGroups.authorizeEgress',
  'ec2.securityGroups.revokeEgress',
  'ec2.securityGroups.delete',
  'ec2.vpcs.create',
  'ec2.vpcs.delete',
  'iam.roles.create',
  'iam.roles.attachPolicy',
  'iam.roles.detachPolicy',
  'iam.policies.create',
  'ecs.services.scale',
  'ecs.services.deployImage',
  'ecs.services.rollback',
  'ecs.tasks.stop',
  'eks.nodegroups.scale',
  'ec2.volumes.create',
  'ec2.volumes.delete',
  'ec2.snapshots.create',
  'ec2.snapshots.delete',
  'ec2.addresses.allocate',
  'ec2.addresses.release',
  'ec2.tags.add',
  'ec2.tags.remove',
  'drs.recovery.start',
  'drs.recoveryInstances.terminate',
  'drs.launchConfiguration.update',
  'ec2.launchTemplates.createVersion',
  'ec2.launchTemplates.setDefaultVersion',
  'ec2.launchTemplates.deleteVersions',
  'ssm.automation.start',
  'ssm.automation.stop',
  'cloudformation.stacks.deployRecoveryPlan',
  'sfn.executions.start',
  'sfn.tasks.sendSuccess',
  'sfn.tasks.sendFailure',
  'sfn.executions.stop',
  'cloudformation.changeSets.create',
  'cloudformation.changeSets.execute',
  'backup.plans.create',
  'backup.restore.start',
  'organizations.policies.create',
  'organizations.policies.attach',
  'budgets.budgets.create',
  'scheduler.instanceSchedules.create',
  'scheduler.instanceSchedules.delete',
  'cloudwatch.alarms.put',
  'cloudwatch.dashboards.put',
  'ec2.requireImdsv2',
  's3control.blockPublicAccess',
  'tagging.enforceTags',
];

const EXPECTED_READS = [
  'ec2.instances.list',
  'ec2.volumes.list',
  'ec2.snapshots.list',
  'ec2.addresses.list',
  'ec2.keyPairs.list',
  'ec2.images.list',
  'ec2.vpcs.list',
  'ec2.subnets.list',
  'ec2.routeTables.list',
  'ec2.internetGateways.list',
  'ec2.natGateways.list',
  'ec2.securityGroups.list',
  'ec2.networkInterfaces.list',
  'ec2.launchTemplates.list',
  'ec2.launchTemplates.revealUserData',
  'ec2.launchTemplates.versions',
  'cloudformation.stacks.list',
  'cloudformation.stacks.resources',
  'cloudformation.stacks.outputs',
  'cloudformation.stacks.template',
  'cloudformation.stacks.detectDrift',
  'cloudformation.stacks.driftStatus',
  'cloudformation.stacks.resourceDrifts',
  'cloudformation.changeSets.describe',
  'ec2.launchTemplates.currentVersions',
  'iam.roles.list',
  'iam.roles.attachedPolicies',
  'iam.roles.inlinePolicies',
  'iam.roles.policies',
  'iam.policies.list',
  'iam.accountAliases.list',
  'iam.policies.document',
  'drs.sourceServers.list',
  'drs.jobs.list',
  'drs.recoveryInstances.list',
  'drs.jobs.logItems',
  'drs.launchConfiguration.get',
  'ssm.automation.get',
  'ssm.documents.describe',
  'ssm.documents.list',
  'ec2.instanceTypeOfferings.list',
  'sfn.executions.describe',
  'sfn.executions.history',
  'ecs.clusters.list',
  'ecs.services.list',
  'ecs.services.describe',
  'ecs.tasks.list',
  'ecs.tasks.describe',
  'ecs.taskDefinitions.families',
  'ecs.taskDefinitions.revisions',
  'ecs.taskDefinitions.describe',
  'eks.clusters.list',
  'eks.nodegroups.list',
  'eks.fargateProfiles.list',
  'ecr.repositories.list',
  'ecr.images.list',
  'ecr.images.scanFindings',
  'logs.events.get',
  'organizations.organization.describe',
  'organizations.roots.list',
  'organizations.units.list',
  'pricing.ec2Prices.get',
  'organizations.accounts.list',
  'organizations.tags.list',
  'organizations.policies.list',
  'organizations.policies.forTarget',
  'organizations.policies.describe',
  // compliance checks (src/core/operations/compliance.ts)
  'iam.accountSummary.get',
  'iam.passwordPolicy.get',
  'iam.credentialReport.get',
  'cloudtrail.trails.list',
  'cloudtrail.trails.status',
  'ec2.ebsEncryptionByDefault.get',
  's3control.publicAccessBlock.get',
  'config.recorders.status',
  'config.ruleCompliance.list',
  'config.ruleCompliance.details',
  'securityhub.findings.list',
  'ce.costAndUsage.get',
  'ce.costForecast.get',
  'ce.savingsPlansRecommendation.get',
  'ce.reservationRecommendation.get',
  'budgets.budgets.list',
  'cloudwatch.instanceUtilization.get',
  'computeoptimizer.ec2Recommendations.get',
  'scheduler.instanceSchedules.list',
  'rds.instances.list',
  'rds.instances.storageMetrics',
  'ssm.patchStates.list',
  'cloudwatch.alarms.list',
  'cloudwatch.metrics.getData',
  'cloudwatch.dashboards.get',
  'logs.groups.list',
  'logs.streams.list',
  'logs.events.filter',
  'logs.insights.start',
  'logs.insights.results',
  'logs.liveTail.sample',
  'backup.vaults.list',
  'backup.recoveryPoints.list',
  'backup.recoveryPoints.describe',
  'backup.recoveryPoints.restoreMetadata',
  'backup.plans.list',
  'backup.plans.get',
  'backup.jobs.list',
  'backup.restoreJobs.describe',
];

describe('operation registry', () => {
  it('declares the first operation set, reads split from writes', () => {
    assert.deepEqual(
      registry
        .list({ mutating: true })
        .map((op) => op.id)
        .sort(),
      [...EXPECTED_WRITES].sort(),
    );
    assert.deepEqual(
      registry
        .list({ kind: 'read' })
        .map((op) => op.id)
        .sort(),
      [...EXPECTED_READS].sort(),
    );
  });

  it('gives every operation complete metadata and an object JSON Schema for tool definitions', () => {
    for (const op of registry.list()) {
      assert.ok(op.title && op.description.length > 10, op.id);
      assert.ok(['read', 'write', 'delete'].includes(op.kind));
      assert.ok(['none', 'increase', 'decrease', 'variable'].includes(op.costImpact));
      assert.equal(typeof op.destructive, 'boolean');
      assert.equal(typeof op.rollbackSupported, 'boolean');
      assert.equal(op.inputJsonSchema.type, 'object', op.id);
      assert.equal(op.inputJsonSchema.additionalProperties, false, `${op.id} rejects unknown fields`);
      assert.doesNotThrow(() => JSON.stringify(op.inputJsonSchema));
    }
    const deletes = registry.list({ kind: 'delete' });
    assert.ok(
      deletes.every((op) => op.destructive),
      'every delete is destructive',
    );
  });

  it('validates input with readable messages', () => {
    const bad = registry.validateInput('ec2.securityGroups.authorizeIngress', {
      groupId: 'sg-0123456789abcdef0',
      rules: [{ protocol: 'tcp', fromPort: 22, cidrIpv4: '0.0.0.0/0', cidrIpv6: '::/0' }],
    });
    assert.equal(bad.ok, false);
    assert.match((bad as { message: string }).message, /exactly one of cidrIpv4/);
    assert.match((bad as { message: string }).message, /fromPort and toPort are required/);
    const vpc = registry.validateInput('ec2.vpcs.create', {
      name: 'x',
      cidrBlock: '10.0.0.0/24',
      availabilityZoneCount: 3,
      subnetPrefixLength: 26,
    });
    assert.match((vpc as { message: string }).message, /6 subnets of \/26 do not fit in 10\.0\.0\.0\/24/);
    const ok = registry.validateInput('ec2.vpcs.create', { name: 'x', cidrBlock: '10.0.0.0/16' });
    assert.deepEqual(ok, {
      ok: true,
      value: {
        name: 'x',
        cidrBlock: '10.0.0.0/16',
        availabilityZoneCount: 2,
        publicSubnets: true,
        privateSubnets: true,
        subnetPrefixLength: 24,
        natGateways: 'none',
      },
    });
    assert.equal(
      registry.validateInput('iam.policies.create', { policyName: 'p', policyDocument: '{not json' }).ok,
      false,
    );
    assert.equal(
      registry.validateInput('ec2.tags.add', { resourceIds: ['i-0123456789abcdef0'], tags: { 'aws:x': '1' } }).ok,
      false,
    );
  });

  it('computes subnet CIDRs', () => {
    assert.deepEqual(parseCidr('10.0.0.0/16'), { base: 167772160, prefix: 16 });
    assert.equal(parseCidr('10.0.0.1/16'), undefined, 'unaligned');
    assert.deepEqual(
      [0, 1, 2, 3].map((index) => subnetCidr('10.0.0.0/16', 24, index)),
      ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'],
    );
    assert.equal(subnetCidr('172.16.0.0/20', 22, 3), '172.16.12.0/22');
  });

  it('warns about admin ports open to the internet and broad IAM statements', () => {
    assert.deepEqual(exposureWarnings([{ protocol: 'tcp', fromPort: 20, toPort: 25, cidrIpv4: '0.0.0.0/0' }]), [
      'Opens SSH (22), Telnet (23) to the internet (0.0.0.0/0).',
    ]);
    assert.deepEqual(exposureWarnings([{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' }]), []);
    const doc = policyDocumentSchema.parse({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
        { Sid: 'pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
      ],
    });
    const warnings = broadPermissionWarnings(doc);
    assert.match(warnings[0], /every action on every resource/);
    assert.ok(warnings.some((warning) => /NotAction/.test(warning)));
    assert.ok(warnings.some((warning) => /"pass" allows iam:PassRole on every role/.test(warning)));
    const trust = policyDocumentSchema.parse(
      JSON.stringify({ Statement: { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' } }),
    );
    assert.match(trustPolicyWarnings(trust)[0], /any principal.*no condition/);
  });

  it('orders instance sizes for cost direction', () => {
    assert.ok(instanceSizeRank('t3.micro')! < instanceSizeRank('t3.large')!);
    assert.ok(instanceSizeRank('m5.xlarge')! < instanceSizeRank('m5.2xlarge')!);
  });

  it('renders a preview as text for confirmations', () => {
    const preview = {
      summary: 'Stop 1 instance',
      account: '111122223333',
      region: 'us-east-1',
      environments: ['prod'],
      protectedEnvironments: ['prod'],
      resources: [
        {
          type: 'ec2:instance',
          id: 'i-1',
          name: 'web',
          action: 'stop',
          role: 'target',
          environment: 'prod',
          environmentSource: 'tag',
          protected: true,
        },
      ],
      changes: ['i-1: running → stopped'],
      cost: { direction: 'decrease', note: 'Less.' },
      backups: { required: false, planned: [] },
      permission: { status: 'allowed', detail: 'ok' },
      rollback: { supported: true, note: 'start again' },
      warnings: [],
      dependencies: [],
      guardrails: {
        verdict: 'needs-approval',
        refusals: [],
        approval: { level: 'approve', reasons: ['prod is a protected environment.'], requiredConfirmation: 'prod' },
      },
    } as unknown as OperationPreview;
    const text = formatPreview(preview);
    assert.match(text, /Account 111122223333, region us-east-1, environment prod \(protected\)/);
    assert.match(text, /stop ec2:instance i-1 \(web\) \[prod\]/);
    assert.match(text, /Approval required/);
  });
});
