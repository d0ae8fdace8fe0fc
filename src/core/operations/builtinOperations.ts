import type { Operation } from './define';
import { cloudFormationOperations } from './cloudformation';
import { drsOperations, drsWriteOperations } from './drs';
import { addressOperations } from './ec2/addresses';
import { instanceOperations } from './ec2/instances';
import { launchTemplateOperations } from './ec2/launchTemplates';
import { ec2ReadOperations } from './ec2/reads';
import { securityGroupOperations } from './ec2/securityGroups';
import { tagOperations } from './ec2/tags';
import { volumeOperations } from './ec2/volumes';
import { vpcOperations } from './ec2/vpcs';
import { iacReadOperations, iacWriteOperations } from './iac';
import { iamOperations } from './iam';
import { organizationsReadOperations, organizationsWriteOperations } from './organizations';
import { OperationRegistry } from './registry';
import { ssmOperations, ssmReadOperations } from './ssm';
import { stepFunctionsReadOperations, stepFunctionsWriteOperations } from './stepFunctions';
import { ssmDocumentOperations } from './ssmDocuments';
import { ecsReadOperations, ecsWriteOperations } from './ecs';
import { containerReadOperations, containerWriteOperations } from './eksEcrLogs';
import { remediationOperations } from './remediation';
import { complianceReadOperations } from './compliance';
import { costReadOperations, costWriteOperations } from './costOperations';
import { scheduleReadOperations, scheduleWriteOperations } from './costSchedules';
import { rdsReadOperations } from './rds';
import { ssmPatchReadOperations } from './ssmPatches';
import { cloudWatchReadOperations, cloudWatchWriteOperations, logsReadOperations } from './cloudwatchAll';
import { backupReadOperations, backupWriteOperations } from './backup';
import { pricingReadOperations } from './pricing';

/** Every operation Pilot Light ships, in menu order. */
export const BUILTIN_OPERATIONS: readonly Operation[] = Object.freeze([
  ...instanceOperations,
  ...securityGroupOperations,
  ...vpcOperations,
  ...volumeOperations,
  ...addressOperations,
  ...tagOperations,
  ...iamOperations,
  ...ec2ReadOperations,
  ...launchTemplateOperations,
  ...cloudFormationOperations,
  ...iacReadOperations,
  ...iacWriteOperations,
  ...drsOperations,
  ...drsWriteOperations,
  ...ssmOperations,
  ...ssmReadOperations,
  ...stepFunctionsWriteOperations,
  ...stepFunctionsReadOperations,
  ...ssmDocumentOperations,
  ...ecsWriteOperations,
  ...containerWriteOperations,
  ...ecsReadOperations,
  ...containerReadOperations,
  ...organizationsReadOperations,
  ...organizationsWriteOperations,
  ...complianceReadOperations,
  ...costReadOperations,
  ...costWriteOperations,
  ...scheduleReadOperations,
  ...scheduleWriteOperations,
  ...rdsReadOperations,
  ...ssmPatchReadOperations,
  ...cloudWatchWriteOperations,
  ...cloudWatchReadOperations,
  ...logsReadOperations,
  ...backupWriteOperations,
  ...backupReadOperations,
  ...pricingReadOperations,
  ...remediationOperations,
] as Operation[]);

export function createOperationRegistry(extra: Iterable<Operation> = []): OperationRegistry {
  return new OperationRegistry([...BUILTIN_OPERATIONS, ...extra]);
}
