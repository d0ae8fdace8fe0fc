import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { DrsClient } from '@aws-sdk/client-drs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import type { BudgetsClient } from '@aws-sdk/client-budgets';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { BackupClient } from '@aws-sdk/client-backup';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { ComputeOptimizerClient } from '@aws-sdk/client-compute-optimizer';
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { ServiceDefinition } from './connection';

// Each SDK client module is imported only when its first client is created.

function isLoopbackOrIp(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

const loadEc2 = () => import('@aws-sdk/client-ec2');
export const ec2Service: ServiceDefinition<EC2Client> = {
  id: 'ec2',
  create: async (config) => new (await loadEc2()).EC2Client(config),
  preload: loadEc2,
};

export const drsService: ServiceDefinition<DrsClient> = {
  id: 'drs',
  create: async (config) => new (await import('@aws-sdk/client-drs')).DrsClient(config),
};

export const cloudFormationService: ServiceDefinition<CloudFormationClient> = {
  id: 'cloudformation',
  create: async (config) => new (await import('@aws-sdk/client-cloudformation')).CloudFormationClient(config),
};

export const iamService: ServiceDefinition<IAMClient> = {
  id: 'iam',
  create: async (config) => new (await import('@aws-sdk/client-iam')).IAMClient(config),
};

export const ssmService: ServiceDefinition<SSMClient> = {
  id: 'ssm',
  create: async (config) => new (await import('@aws-sdk/client-ssm')).SSMClient(config),
};

export const sfnService: ServiceDefinition<SFNClient> = {
  id: 'sfn',
  create: async (config) => new (await import('@aws-sdk/client-sfn')).SFNClient(config),
};

export const ecsService: ServiceDefinition<ECSClient> = {
  id: 'ecs',
  create: async (config) => new (await import('@aws-sdk/client-ecs')).ECSClient(config),
};

export const eksService: ServiceDefinition<EKSClient> = {
  id: 'eks',
  create: async (config) => new (await import('@aws-sdk/client-eks')).EKSClient(config),
};

export const ecrService: ServiceDefinition<ECRClient> = {
  id: 'ecr',
  create: async (config) => new (await import('@aws-sdk/client-ecr')).ECRClient(config),
};

/** Endpoint overrides name CloudWatch Logs `cloudwatch_logs` (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS). */
export const logsService: ServiceDefinition<CloudWatchLogsClient> = {
  id: 'cloudwatch_logs',
  create: async (config) => new (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient(config),
};

export const cloudWatchService: ServiceDefinition<CloudWatchClient> = {
  id: 'cloudwatch',
  create: async (config) => new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient(config),
};

/** Cost Explorer: AWS_ENDPOINT_URL_COST_EXPLORER. */
export const costExplorerService: ServiceDefinition<CostExplorerClient> = {
  id: 'cost_explorer',
  create: async (config) => new (await import('@aws-sdk/client-cost-explorer')).CostExplorerClient(config),
};

export const budgetsService: ServiceDefinition<BudgetsClient> = {
  id: 'budgets',
  create: async (config) => new (await import('@aws-sdk/client-budgets')).BudgetsClient(config),
};

/** EventBridge Scheduler. */
export const schedulerService: ServiceDefinition<SchedulerClient> = {
  id: 'scheduler',
  create: async (config) => new (await import('@aws-sdk/client-scheduler')).SchedulerClient(config),
};

export const backupService: ServiceDefinition<BackupClient> = {
  id: 'backup',
  create: async (config) => new (await import('@aws-sdk/client-backup')).BackupClient(config),
};

/** AWS Config: AWS_ENDPOINT_URL_CONFIG_SERVICE. */
export const configService: ServiceDefinition<ConfigServiceClient> = {
  id: 'config_service',
  create: async (config) => new (await import('@aws-sdk/client-config-service')).ConfigServiceClient(config),
};

export const securityHubService: ServiceDefinition<SecurityHubClient> = {
  id: 'securityhub',
  create: async (config) => new (await import('@aws-sdk/client-securityhub')).SecurityHubClient(config),
};

/** S3 Control (account-level Block Public Access): AWS_ENDPOINT_URL_S3_CONTROL. */
export const s3ControlService: ServiceDefinition<S3ControlClient> = {
  id: 's3_control',
  create: async (config) =>
    new (await import('@aws-sdk/client-s3-control')).S3ControlClient({
      ...config,
      // S3 Control puts the account ID in front of the host; an IP-address or localhost endpoint cannot take it.
      ...(config.endpoint && isLoopbackOrIp(config.endpoint)
        ? { endpointProvider: () => ({ url: new URL(config.endpoint!) }) }
        : {}),
    }),
};

export const cloudTrailService: ServiceDefinition<CloudTrailClient> = {
  id: 'cloudtrail',
  create: async (config) => new (await import('@aws-sdk/client-cloudtrail')).CloudTrailClient(config),
};

export const rdsService: ServiceDefinition<RDSClient> = {
  id: 'rds',
  create: async (config) => new (await import('@aws-sdk/client-rds')).RDSClient(config),
};

/** Compute Optimizer: AWS_ENDPOINT_URL_COMPUTE_OPTIMIZER. */
export const computeOptimizerService: ServiceDefinition<ComputeOptimizerClient> = {
  id: 'compute_optimizer',
  create: async (config) => new (await import('@aws-sdk/client-compute-optimizer')).ComputeOptimizerClient(config),
};

/**
 * The Price List Query API, which AWS serves only from us-east-1, eu-central-1 and ap-south-1: the client
 * always signs for us-east-1 whatever the session region (prices of every region come from there). An
 * endpoint override (AWS_ENDPOINT_URL_PRICING, profile `services`) is still honoured.
 */
export const PRICE_LIST_API_REGION = 'us-east-1';
export const pricingService: ServiceDefinition<PricingClient> = {
  id: 'pricing',
  create: async (config) =>
    new (await import('@aws-sdk/client-pricing')).PricingClient({ ...config, region: PRICE_LIST_API_REGION }),
};
