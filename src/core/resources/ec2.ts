import type { Address, Image, Instance, KeyPairInfo, Snapshot, Volume } from '@aws-sdk/client-ec2';
import { tagsToRecord } from '../aws/tags';
import type { ResourceSummary, StateTone } from './model';
import { compact, day, pagedLister, readPage, type SummaryContext } from './pagedLister';

const INSTANCE_TONES: Record<string, StateTone> = {
  running: 'ok',
  pending: 'transitional',
  stopping: 'transitional',
  'shutting-down': 'transitional',
  stopped: 'stopped',
  terminated: 'stopped',
};

const ec2Arn = (context: SummaryContext, kind: string, id: string) =>
  `arn:aws:ec2:${context.region}:${context.account}:${kind}/${id}`;

export function summarizeInstance(instance: Instance, context: SummaryContext): ResourceSummary {
  const tags = tagsToRecord(instance.Tags);
  const id = instance.InstanceId ?? 'unknown';
  const state = instance.State?.Name;
  return {
    type: 'ec2:instance',
    id,
    name: tags.Name || id,
    arn: ec2Arn(context, 'instance', id),
    state,
    stateTone: (state && INSTANCE_TONES[state]) || 'unknown',
    details: compact([id, instance.InstanceType, instance.PrivateIpAddress, state]),
    tags,
    raw: instance,
  };
}

export const ec2InstanceLister = pagedLister({
  type: 'ec2:instance',
  title: 'Instances',
  pageRange: [5, 1000],
  serverFilter: { idFilter: 'instance-id', idPrefix: 'i', namedByTag: true },
  fetch: (read, page) => readPage<Instance>(read, 'ec2.instances.list', page),
  summarize: summarizeInstance,
  fetchOne: async (read, id) => (await readPage<Instance>(read, 'ec2.instances.list', { ids: [id] })).items[0],
});

const VOLUME_TONES: Record<string, StateTone> = {
  'in-use': 'ok',
  available: 'stopped',
  creating: 'transitional',
  deleting: 'transitional',
  error: 'error',
};

export const ec2VolumeLister = pagedLister({
  type: 'ec2:volume',
  title: 'Volumes',
  pageRange: [5, 500],
  serverFilter: { idFilter: 'volume-id', idPrefix: 'vol', namedByTag: true },
  fetch: (read, page) => readPage<Volume>(read, 'ec2.volumes.list', page),
  summarize(volume: Volume, context) {
    const tags = tagsToRecord(volume.Tags);
    const id = volume.VolumeId ?? 'unknown';
    const attachedTo = volume.Attachments?.[0]?.InstanceId;
    return {
      type: 'ec2:volume',
      id,
      name: tags.Name || id,
      arn: ec2Arn(context, 'volume', id),
      state: volume.State,
      stateTone: (volume.State && VOLUME_TONES[volume.State]) || 'unknown',
      details: compact([
        id,
        `${volume.Size} GiB`,
        volume.VolumeType,
        volume.AvailabilityZone,
        attachedTo ? `attached to ${attachedTo}` : 'unattached',
      ]),
      tags,
      raw: volume,
    };
  },
});

export const ec2SnapshotLister = pagedLister({
  type: 'ec2:snapshot',
  title: 'Snapshots',
  pageRange: [5, 1000],
  // Named by the Name tag, else the description: a name search cannot be pushed.
  serverFilter: { idFilter: 'snapshot-id', idPrefix: 'snap', namedByTag: false },
  fetch: (read, page) => readPage<Snapshot>(read, 'ec2.snapshots.list', page),
  summarize(snapshot: Snapshot, context) {
    const tags = tagsToRecord(snapshot.Tags);
    const id = snapshot.SnapshotId ?? 'unknown';
    return {
      type: 'ec2:snapshot',
      id,
      name: tags.Name || snapshot.Description || id,
      arn: `arn:aws:ec2:${context.region}::snapshot/${id}`,
      state: snapshot.State,
      stateTone: snapshot.State === 'completed' ? 'ok' : snapshot.State === 'error' ? 'error' : 'transitional',
      details: compact([
        id,
        `${snapshot.VolumeSize} GiB`,
        snapshot.VolumeId && `from ${snapshot.VolumeId}`,
        day(snapshot.StartTime),
      ]),
      tags,
      raw: snapshot,
    };
  },
});

export const ec2AddressLister = pagedLister({
  type: 'ec2:elastic-ip',
  title: 'Elastic IPs',
  fetch: (read) => readPage<Address>(read, 'ec2.addresses.list', {}),
  summarize(address: Address, context) {
    const tags = tagsToRecord(address.Tags);
    const id = address.AllocationId ?? address.PublicIp ?? 'unknown';
    const associated = address.InstanceId ?? address.NetworkInterfaceId;
    return {
      type: 'ec2:elastic-ip',
      id,
      name: tags.Name || address.PublicIp || id,
      arn: ec2Arn(context, 'elastic-ip', id),
      state: associated ? 'associated' : 'unassociated',
      stateTone: associated ? 'ok' : 'stopped',
      details: compact([address.PublicIp, id, associated ? `→ ${associated}` : 'unassociated']),
      tags,
      raw: address,
    };
  },
});

export const ec2KeyPairLister = pagedLister({
  type: 'ec2:key-pair',
  title: 'Key pairs',
  fetch: (read) => readPage<KeyPairInfo>(read, 'ec2.keyPairs.list', {}),
  summarize(keyPair: KeyPairInfo, context) {
    const id = keyPair.KeyPairId ?? keyPair.KeyName ?? 'unknown';
    return {
      type: 'ec2:key-pair',
      id,
      name: keyPair.KeyName ?? id,
      arn: ec2Arn(context, 'key-pair', keyPair.KeyName ?? id),
      details: compact([id, keyPair.KeyType, keyPair.KeyFingerprint]),
      tags: tagsToRecord(keyPair.Tags),
      raw: keyPair,
    };
  },
});

export const ec2ImageLister = pagedLister({
  type: 'ec2:image',
  title: 'AMIs',
  pageRange: [5, 1000],
  serverFilter: { idFilter: 'image-id', idPrefix: 'ami', namedByTag: false },
  fetch: (read, page) => readPage<Image>(read, 'ec2.images.list', page),
  summarize(image: Image, context) {
    const tags = tagsToRecord(image.Tags);
    const id = image.ImageId ?? 'unknown';
    return {
      type: 'ec2:image',
      id,
      name: image.Name || tags.Name || id,
      arn: `arn:aws:ec2:${context.region}::image/${id}`,
      state: image.State,
      stateTone:
        image.State === 'available'
          ? 'ok'
          : image.State === 'pending'
            ? 'transitional'
            : image.State === 'failed'
              ? 'error'
              : 'unknown',
      details: compact([id, image.Architecture, image.CreationDate?.slice(0, 10)]),
      tags,
      raw: image,
    };
  },
});
