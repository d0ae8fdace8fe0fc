import type { ResourceLister } from './model';

/** A service folder in the explorer and the resource types under it. */
export interface ServiceCatalogEntry {
  id: string;
  title: string;
  /** IAM is global: it is shown once per profile, under the first region. */
  global?: boolean;
  listers: () => Promise<ResourceLister[]>;
  /** Parses the service's SDK bundle while the folder is open, so its first list does not wait for it. */
  preloadSdk?: () => Promise<unknown>;
}

// Listers are imported on expand, so activation never loads an SDK client.
export const SERVICE_CATALOG: ServiceCatalogEntry[] = [
  {
    id: 'ec2',
    title: 'EC2',
    listers: async () => {
      const ec2 = await import('./ec2');
      return [
        ec2.ec2InstanceLister,
        ec2.ec2VolumeLister,
        ec2.ec2SnapshotLister,
        ec2.ec2AddressLister,
        ec2.ec2KeyPairLister,
        ec2.ec2ImageLister,
      ];
    },
    preloadSdk: async () => (await import('../aws/services')).ec2Service.preload?.(),
  },
  { id: 'vpc', title: 'VPC', listers: async () => [(await import('./vpc')).vpcLister] },
  {
    id: 'launch-templates',
    title: 'Launch templates',
    listers: async () => [(await import('./launchTemplates')).launchTemplateLister],
  },
  {
    id: 'drs',
    title: 'DRS',
    listers: async () => {
      const drs = await import('./drs');
      return [drs.drsSourceServerLister, drs.drsJobLister, drs.drsRecoveryInstanceLister];
    },
  },
  {
    id: 'cloudformation',
    title: 'CloudFormation',
    listers: async () => [(await import('./cloudformation')).stackLister],
  },
  {
    id: 'ecs',
    title: 'ECS',
    listers: async () => {
      const containers = await import('./containers');
      return [containers.ecsClusterLister, containers.taskDefinitionFamilyLister];
    },
  },
  { id: 'eks', title: 'EKS', listers: async () => [(await import('./containers')).eksClusterLister] },
  { id: 'ecr', title: 'ECR', listers: async () => [(await import('./containers')).ecrRepositoryLister] },
  { id: 'alarms', title: 'Alarms', listers: async () => [(await import('../observability/explorer')).alarmLister] },
  { id: 'logs', title: 'Logs', listers: async () => [(await import('../observability/explorer')).logGroupLister] },
  {
    id: 'backup',
    title: 'AWS Backup',
    listers: async () => {
      const backup = await import('./backup');
      return [backup.backupVaultLister, backup.backupPlanLister, ...backup.backupJobListers];
    },
  },
  {
    id: 'iam',
    title: 'IAM',
    global: true,
    listers: async () => {
      const iam = await import('./iam');
      return [iam.iamRoleLister, iam.iamCustomerPolicyLister];
    },
  },
];
