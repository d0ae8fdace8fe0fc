/**
 * Seeds a small container estate in moto through the real SDK: ECS clusters (staging, production) with a
 * `web` and a `my-api` service, task definition revisions, Fargate tasks with awslogs streams and events,
 * an EKS cluster with a node group and a Fargate profile, and an ECR repository with two images.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateClusterCommand as CreateEksClusterCommand,
  CreateFargateProfileCommand,
  CreateNodegroupCommand,
  EKSClient,
} from '@aws-sdk/client-eks';

export interface ContainerSeed {
  stagingCluster: string;
  productionCluster: string;
  webTaskArns: string[];
  webRevisions: string[];
  apiRevision: string;
  eksCluster: string;
  nodegroup: string;
  repository: string;
  logGroup: string;
}

type Config = { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };

function containerDefinition(name: string, image: string, logGroup: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    image,
    essential: true,
    memory: 512,
    portMappings: [{ containerPort: 8080 }],
    logConfiguration: {
      logDriver: 'awslogs' as const,
      options: { 'awslogs-group': logGroup, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' },
    },
    ...extra,
  };
}

/** `subnetId`: use this (EKS only needs an ID) instead of creating a VPC, so other tests' VPC counts stay. */
export async function seedContainers(
  config: Config,
  accountId = '123456789012',
  options: { subnetId?: string } = {},
): Promise<ContainerSeed> {
  const ecs = new ECSClient(config);
  const eks = new EKSClient(config);
  const ecr = new ECRClient(config);
  const logs = new CloudWatchLogsClient(config);
  const registry = `${accountId}.dkr.ecr.us-east-1.amazonaws.com`;
  const logGroup = '/ecs/web';
  const ec2 = new EC2Client(config);
  try {
    let subnetId = options.subnetId;
    if (!subnetId) {
      const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
      subnetId = (
        await ec2.send(
          new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.40.1.0/24', AvailabilityZone: 'us-east-1a' }),
        )
      ).Subnet!.SubnetId!;
    }
    // Bridge-mode task definitions: moto 5.2.5 fails RunTask for awsvpc tasks (its ENI lacks private_dns_name).
    const staging = await ecs.send(
      new CreateClusterCommand({ clusterName: 'staging', tags: [{ key: 'Environment', value: 'staging' }] }),
    );
    const production = await ecs.send(
      new CreateClusterCommand({ clusterName: 'production', tags: [{ key: 'Environment', value: 'production' }] }),
    );
    const webRevisions: string[] = [];
    for (const [index, tag] of ['1.0', '1.1'].entries()) {
      const registered = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            containerDefinition('web', `${registry}/web:${tag}`, logGroup, {
              environment: [{ name: 'FEATURE_X', value: index === 0 ? 'off' : 'on' }],
            }),
          ],
        }),
      );
      webRevisions.push(registered.taskDefinition!.taskDefinitionArn!);
    }
    const api = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'my-api',
        cpu: '256',
        memory: '512',
        containerDefinitions: [containerDefinition('my-api', `${registry}/my-api:2.0`, '/ecs/my-api')],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'staging',
        serviceName: 'web',
        taskDefinition: webRevisions[1],
        desiredCount: 2,
        launchType: 'FARGATE',
        tags: [{ key: 'Team', value: 'frontend' }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'production',
        serviceName: 'my-api',
        taskDefinition: api.taskDefinition!.taskDefinitionArn!,
        desiredCount: 3,
        launchType: 'FARGATE',
      }),
    );
    // moto's services start no tasks: run the service's tasks ourselves, in its group, as ECS would.
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: 'staging',
        taskDefinition: webRevisions[1],
        count: 2,
        launchType: 'FARGATE',
        group: 'service:web',
        startedBy: 'ecs-svc/seed',
      }),
    );
    const webTaskArns = (run.tasks ?? []).map((task) => task.taskArn!);
    await logs.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
    for (const arn of webTaskArns) {
      const taskId = arn.split('/').pop()!;
      const stream = `ecs/web/${taskId}`;
      await logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: stream }));
      const now = Date.now();
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: logGroup,
          logStreamName: stream,
          logEvents: [
            { timestamp: now - 2000, message: `listening on :8080 (task ${taskId})` },
            { timestamp: now - 1000, message: 'GET /health 200' },
          ],
        }),
      );
    }

    await eks.send(
      new CreateEksClusterCommand({
        name: 'platform',
        version: '1.30',
        roleArn: `arn:aws:iam::${accountId}:role/eks-cluster`,
        resourcesVpcConfig: { subnetIds: [subnetId] },
        tags: { Environment: 'staging' },
      }),
    );
    await eks.send(
      new CreateNodegroupCommand({
        clusterName: 'platform',
        nodegroupName: 'general',
        nodeRole: `arn:aws:iam::${accountId}:role/eks-node`,
        subnets: [subnetId],
        scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 6 },
        instanceTypes: ['t3.large'],
        tags: { Environment: 'staging' },
      }),
    );
    await eks.send(
      new CreateFargateProfileCommand({
        clusterName: 'platform',
        fargateProfileName: 'jobs',
        podExecutionRoleArn: `arn:aws:iam::${accountId}:role/eks-fargate`,
        subnets: [subnetId],
        selectors: [{ namespace: 'jobs' }],
      }),
    );

    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'web' }));
    for (const tag of ['1.0', '1.1']) {
      await ecr.send(
        new PutImageCommand({
          repositoryName: 'web',
          imageTag: tag,
          imageManifest: JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
            config: {
              mediaType: 'application/vnd.docker.container.image.v1+json',
              size: 7023,
              digest: `sha256:${tag === '1.0' ? 'a' : 'b'}`.padEnd(71, '0'),
            },
            layers: [
              {
                mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
                size: 32654,
                digest: `sha256:${(tag === '1.0' ? 'c' : 'd').repeat(64)}`,
              },
            ],
          }),
        }),
      );
    }
    return {
      stagingCluster: staging.cluster!.clusterArn!,
      productionCluster: production.cluster!.clusterArn!,
      webTaskArns,
      webRevisions,
      apiRevision: api.taskDefinition!.taskDefinitionArn!,
      eksCluster: 'platform',
      nodegroup: 'general',
      repository: 'web',
      logGroup,
    };
  } finally {
    ec2.destroy();
    ecs.destroy();
    eks.destroy();
    ecr.destroy();
    logs.destroy();
  }
}
