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
import type { ServiceDefinition } from './connection';

// Each SDK client module is imported only when its first client is created.

export const ec2Service: ServiceDefinition<EC2Client> = {
  id: 'ec2',
  create: async (config) => new (await import('@aws-sdk/client-ec2')).EC2Client(config),
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
