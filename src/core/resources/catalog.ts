import type { ResourceLister } from './model';

/** A service folder in the explorer and the resource types under it. */
export interface ServiceCatalogEntry {
  id: string;
  title: string;
  listers: () => Promise<ResourceLister[]>;
}

// Listers are imported on expand, so activation never loads an SDK client.
export const SERVICE_CATALOG: ServiceCatalogEntry[] = [
  { id: 'ec2', title: 'EC2', listers: async () => [(await import('./ec2')).ec2InstanceLister] },
  { id: 'drs', title: 'DRS', listers: async () => [(await import('./drs')).drsSourceServerLister] },
];
