/** Launches, stops, terminates and inspects recovery instances in moto's EC2. */
import {
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type InstanceNetworkInterfaceSpecification,
  type RunInstancesCommandInput,
  type Tag,
} from '@aws-sdk/client-ec2';
import type { EC2InstanceState } from '@aws-sdk/client-drs';
import type { SourceServerRecord } from './model';

export interface Ec2LauncherOptions {
  /** moto's endpoint, e.g. http://127.0.0.1:5000 */
  endpoint: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /**
   * Credentials that act in `accountId` in moto (which tells accounts apart by access key ID only); undefined
   * for the default account, which uses `credentials`.
   */
  credentialsFor?: (
    accountId: string,
  ) => { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

export interface LaunchRequest {
  region: string;
  /** The DRS account of the job; recovery instances are launched in it. Default: the emulator's account. */
  accountId?: string;
  server: SourceServerRecord;
  jobID: string;
  isDrill: boolean;
  jobTags: Record<string, string>;
}

export interface LaunchedInstance {
  instanceId: string;
  privateIp?: string;
  availabilityZone?: string;
  instanceType?: string;
}

export const DRS_MANAGED_TAG = 'AWSElasticDisasterRecoveryManaged';
export const DRS_SOURCE_SERVER_TAG = 'AWSElasticDisasterRecoverySourceServerID';

const EC2_STATE_BY_NAME: Record<string, EC2InstanceState> = {
  pending: 'PENDING',
  running: 'RUNNING',
  stopping: 'STOPPING',
  stopped: 'STOPPED',
  'shutting-down': 'SHUTTING-DOWN',
  terminated: 'TERMINATED',
};

/** Formats an EC2 error the way DRS reports it in job log items. */
export function describeEc2Error(operation: string, error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return `An error occurred (${name}) when calling the ${operation} operation: ${message}`;
}

export class Ec2Launcher {
  private readonly clients = new Map<string, EC2Client>();

  constructor(private readonly options: Ec2LauncherOptions) {}

  private client(region: string, accountId?: string): EC2Client {
    const accountCredentials = accountId ? this.options.credentialsFor?.(accountId) : undefined;
    const key = accountCredentials ? `${region}/${accountCredentials.accessKeyId}` : region;
    let client = this.clients.get(key);
    if (!client) {
      client = new EC2Client({
        region,
        endpoint: this.options.endpoint,
        credentials: accountCredentials ??
          this.options.credentials ?? { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 3,
      });
      this.clients.set(key, client);
    }
    return client;
  }

  /** Runs the recovery instance from the server's launch template; throws with a DRS-style message on failure. */
  async launch(request: LaunchRequest): Promise<LaunchedInstance> {
    const { server, region } = request;
    const settings = server.launchSettings;
    if (!settings.ec2LaunchTemplateID) {
      throw new Error(`Source server ${server.sourceServerID} has no EC2 launch template in its launch configuration`);
    }
    const ec2 = this.client(region, request.accountId);
    let templateData;
    try {
      const versions = await ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          LaunchTemplateId: settings.ec2LaunchTemplateID,
          Versions: ['$Default'],
        }),
      );
      templateData = versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
    } catch (error) {
      throw new Error(describeEc2Error('DescribeLaunchTemplateVersions', error), { cause: error });
    }
    if (!templateData) throw new Error(`Launch template ${settings.ec2LaunchTemplateID} has no default version`);

    const input: RunInstancesCommandInput = {
      MinCount: 1,
      MaxCount: 1,
      LaunchTemplate: { LaunchTemplateId: settings.ec2LaunchTemplateID, Version: '$Default' },
      TagSpecifications: [{ ResourceType: 'instance', Tags: this.instanceTags(request) }],
    };
    // EC2 merges the template's network interfaces itself; moto does not, so pass them explicitly.
    const nics = templateData.NetworkInterfaces ?? [];
    if (nics.length > 0) {
      input.NetworkInterfaces = nics.map((nic, index): InstanceNetworkInterfaceSpecification => ({
        DeviceIndex: nic.DeviceIndex ?? index,
        SubnetId: nic.SubnetId,
        Groups: nic.Groups,
        AssociatePublicIpAddress: nic.AssociatePublicIpAddress,
        DeleteOnTermination: nic.DeleteOnTermination ?? true,
        PrivateIpAddress:
          index === 0 && settings.copyPrivateIp
            ? (server.networkInterfaces[0]?.ips?.[0] ?? nic.PrivateIpAddress)
            : nic.PrivateIpAddress,
      }));
      // EC2 reports the primary interface's groups as the instance's; moto only does for SecurityGroupIds.
      const primaryGroups = input.NetworkInterfaces.find((nic) => nic.DeviceIndex === 0)?.Groups;
      if (primaryGroups?.length) input.SecurityGroupIds = primaryGroups;
    }
    if (settings.targetInstanceTypeRightSizingMethod === 'BASIC')
      input.InstanceType = server.recommendedInstanceType as never;

    let instance;
    try {
      const run = await ec2.send(new RunInstancesCommand(input));
      instance = run.Instances?.[0];
    } catch (error) {
      throw new Error(describeEc2Error('RunInstances', error), { cause: error });
    }
    if (!instance?.InstanceId) throw new Error('RunInstances returned no instance');
    if (settings.launchDisposition === 'STOPPED') {
      try {
        await ec2.send(new StopInstancesCommand({ InstanceIds: [instance.InstanceId] }));
      } catch (error) {
        throw new Error(describeEc2Error('StopInstances', error), { cause: error });
      }
    }
    return {
      instanceId: instance.InstanceId,
      privateIp: instance.PrivateIpAddress,
      availabilityZone: instance.Placement?.AvailabilityZone,
      instanceType: instance.InstanceType,
    };
  }

  private instanceTags(request: LaunchRequest): Tag[] {
    const { server } = request;
    const tags: Record<string, string> = {
      ...(server.launchSettings.copyTags ? server.tags : {}),
      ...request.jobTags,
      Name: server.hostname,
      [DRS_MANAGED_TAG]: 'drs.amazonaws.com',
      [DRS_SOURCE_SERVER_TAG]: server.sourceServerID,
    };
    return Object.entries(tags)
      .filter(([key]) => !key.toLowerCase().startsWith('aws:'))
      .map(([Key, Value]) => ({ Key, Value }));
  }

  async terminate(region: string, instanceIds: string[], accountId?: string): Promise<void> {
    if (instanceIds.length === 0) return;
    try {
      await this.client(region, accountId).send(new TerminateInstancesCommand({ InstanceIds: instanceIds }));
    } catch (error) {
      throw new Error(describeEc2Error('TerminateInstances', error), { cause: error });
    }
  }

  /** EC2 state of each instance; NOT_FOUND for instances EC2 does not know. */
  async describeStates(
    region: string,
    instanceIds: string[],
    accountId?: string,
  ): Promise<Map<string, EC2InstanceState>> {
    const states = new Map<string, EC2InstanceState>();
    const ec2 = this.client(region, accountId);
    for (let i = 0; i < instanceIds.length; i += 200) {
      const chunk = instanceIds.slice(i, i + 200);
      let nextToken: string | undefined;
      do {
        const page = await ec2.send(
          new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: chunk }], NextToken: nextToken }),
        );
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            const state = EC2_STATE_BY_NAME[instance.State?.Name ?? ''];
            if (instance.InstanceId && state) states.set(instance.InstanceId, state);
          }
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    for (const id of instanceIds) if (!states.has(id)) states.set(id, 'NOT_FOUND');
    return states;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
