/** Launch template data (AWS shape) ↔ the editor's form plus raw JSON for the rest. Pure; no vscode. */
import { encodeUserData } from '../../../core/launchTemplates/userData';
import type { BlockDeviceRow, Finding, LaunchTemplateForm } from '../../../protocol/launchTemplate';

type Data = Record<string, unknown>;
type Json = Record<string, unknown>;

/** Top-level fields the form edits; the raw JSON tab holds every other field. */
export const FORM_FIELDS = [
  'InstanceType',
  'ImageId',
  'KeyName',
  'IamInstanceProfile',
  'NetworkInterfaces',
  'SecurityGroupIds',
  'UserData',
  'TagSpecifications',
  'MetadataOptions',
  'BlockDeviceMappings',
  'DisableApiTermination',
] as const;
const FORM_FIELD_SET: ReadonlySet<string> = new Set(FORM_FIELDS);

/** A form value that cannot become launch template data. */
export class FormError extends Error {
  constructor(readonly findings: Finding[]) {
    super(findings.map((finding) => `${finding.field}: ${finding.message}`).join(' '));
    this.name = 'FormError';
  }
}

const isObject = (value: unknown): value is Json =>
  Boolean(value) && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function blockDeviceRows(data: Data): BlockDeviceRow[] {
  return list(data.BlockDeviceMappings)
    .filter((mapping): mapping is Json => isObject(mapping) && isObject(mapping.Ebs))
    .map((mapping) => {
      const ebs = mapping.Ebs as Json;
      return {
        deviceName: str(mapping.DeviceName),
        volumeSize: str(ebs.VolumeSize),
        volumeType: str(ebs.VolumeType),
        iops: str(ebs.Iops),
        throughput: str(ebs.Throughput),
        encrypted: ebs.Encrypted === true,
        deleteOnTermination: ebs.DeleteOnTermination !== false,
      };
    });
}

/** The form and the raw JSON of the other fields for one version's data. */
export function formFromData(data: Data): { form: LaunchTemplateForm; rawJson: string } {
  const nic = isObject(list(data.NetworkInterfaces)[0]) ? (list(data.NetworkInterfaces)[0] as Json) : undefined;
  const profile = isObject(data.IamInstanceProfile) ? data.IamInstanceProfile : {};
  const instanceTags = list(data.TagSpecifications).find(
    (spec) => isObject(spec) && spec.ResourceType === 'instance',
  ) as Json | undefined;
  const metadata = isObject(data.MetadataOptions) ? data.MetadataOptions : {};
  const rest = Object.fromEntries(Object.entries(data).filter(([key]) => !FORM_FIELD_SET.has(key)));
  const httpTokens = str(metadata.HttpTokens);
  const httpEndpoint = str(metadata.HttpEndpoint);
  return {
    form: {
      instanceType: str(data.InstanceType),
      imageId: str(data.ImageId),
      keyName: str(data.KeyName),
      iamInstanceProfile: str(profile.Arn) || str(profile.Name),
      subnetId: str(nic?.SubnetId),
      securityGroupIds: (nic ? list(nic.Groups) : list(data.SecurityGroupIds)).map(str).filter(Boolean),
      privateIpAddress: str(nic?.PrivateIpAddress),
      tags: list(instanceTags?.Tags)
        .filter(isObject)
        .map((tag) => ({ key: str(tag.Key), value: str(tag.Value) })),
      httpTokens: httpTokens === 'required' || httpTokens === 'optional' ? httpTokens : '',
      httpEndpoint: httpEndpoint === 'enabled' || httpEndpoint === 'disabled' ? httpEndpoint : '',
      httpPutResponseHopLimit: str(metadata.HttpPutResponseHopLimit),
      blockDevices: blockDeviceRows(data),
      disableApiTermination: data.DisableApiTermination === true,
    },
    rawJson: JSON.stringify(rest, null, 2),
  };
}

function integer(text: string, field: string, min: number, max: number, problems: Finding[]): number | undefined {
  if (!text.trim()) return undefined;
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push({
      field,
      severity: 'error',
      message: `"${text.slice(0, 20)}" is not a whole number from ${min} to ${max}.`,
    });
    return undefined;
  }
  return value;
}

/** Parses the raw JSON tab: an object without the form's fields. */
export function parseRawJson(rawJson: string): Data {
  let parsed: unknown;
  try {
    parsed = rawJson.trim() ? JSON.parse(rawJson) : {};
  } catch (error) {
    throw new FormError([
      { field: 'Raw JSON', severity: 'error', message: `Not valid JSON: ${(error as Error).message}` },
    ]);
  }
  if (!isObject(parsed))
    throw new FormError([{ field: 'Raw JSON', severity: 'error', message: 'Enter a JSON object ({ … }).' }]);
  const owned = Object.keys(parsed).filter((key) => FORM_FIELD_SET.has(key));
  if (owned.length)
    throw new FormError([
      {
        field: 'Raw JSON',
        severity: 'error',
        message: `${owned.join(', ')} ${owned.length === 1 ? 'is' : 'are'} edited in the form, not in the raw JSON.`,
      },
    ]);
  return parsed;
}

/**
 * The launch template data for an edited form: the base version's data with the form's fields and the raw
 * JSON applied. Parts of a field the form does not show (other network interface settings, tags of other
 * resource types, non-EBS device mappings) are kept from the base. `userData`: text staged from the user data
 * document, encoded here (undefined: keep the base's). Throws FormError on bad values.
 */
export function dataFromForm(base: Data, form: LaunchTemplateForm, rawJson: string, userData?: string): Data {
  const problems: Finding[] = [];
  const data: Data = { ...parseRawJson(rawJson) };
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== '') data[key] = value;
  };
  set('InstanceType', form.instanceType.trim());
  set('ImageId', form.imageId.trim());
  set('KeyName', form.keyName.trim());
  const profile = form.iamInstanceProfile.trim();
  if (profile) data.IamInstanceProfile = profile.startsWith('arn:') ? { Arn: profile } : { Name: profile };

  const groups = form.securityGroupIds.map((group) => group.trim()).filter(Boolean);
  const baseNics = list(base.NetworkInterfaces);
  const subnet = form.subnetId.trim();
  const privateIp = form.privateIpAddress.trim();
  if (baseNics.length || subnet || privateIp) {
    const first: Json = isObject(baseNics[0]) ? { ...baseNics[0] } : { DeviceIndex: 0 };
    for (const key of ['SubnetId', 'Groups', 'PrivateIpAddress']) delete first[key];
    if (subnet) first.SubnetId = subnet;
    if (groups.length) first.Groups = groups;
    if (privateIp) first.PrivateIpAddress = privateIp;
    data.NetworkInterfaces = [first, ...baseNics.slice(1)];
    // A template cannot name groups both at the top level and on an interface: they moved to the interface.
  } else if (groups.length) data.SecurityGroupIds = groups;

  // User data is not in the form (the webview never holds it): staged text replaces it, else the base's is kept.
  if (userData !== undefined) {
    try {
      if (userData) data.UserData = encodeUserData(userData);
    } catch (error) {
      problems.push({ field: 'User data', severity: 'error', message: (error as Error).message });
    }
  } else if (base.UserData !== undefined) data.UserData = base.UserData;

  const otherTagSpecs = list(base.TagSpecifications).filter(
    (spec) => !(isObject(spec) && spec.ResourceType === 'instance'),
  );
  const tags = form.tags.filter((tag) => tag.key.trim());
  const keys = new Set<string>();
  for (const tag of tags) {
    if (keys.has(tag.key.trim()))
      problems.push({ field: 'Tags', severity: 'error', message: `Tag key "${tag.key.trim()}" appears twice.` });
    keys.add(tag.key.trim());
  }
  const tagSpecs = [
    ...(tags.length
      ? [{ ResourceType: 'instance', Tags: tags.map((tag) => ({ Key: tag.key.trim(), Value: tag.value })) }]
      : []),
    ...otherTagSpecs,
  ];
  if (tagSpecs.length) data.TagSpecifications = tagSpecs;

  const metadata: Json = { ...(isObject(base.MetadataOptions) ? base.MetadataOptions : {}) };
  for (const key of ['HttpTokens', 'HttpEndpoint', 'HttpPutResponseHopLimit']) delete metadata[key];
  if (form.httpTokens) metadata.HttpTokens = form.httpTokens;
  if (form.httpEndpoint) metadata.HttpEndpoint = form.httpEndpoint;
  const hopLimit = integer(form.httpPutResponseHopLimit, 'Metadata hop limit', 1, 64, problems);
  if (hopLimit !== undefined) metadata.HttpPutResponseHopLimit = hopLimit;
  if (Object.keys(metadata).length) data.MetadataOptions = metadata;

  const baseMappings = list(base.BlockDeviceMappings).filter(isObject);
  const names = new Set<string>();
  const ebsMappings = form.blockDevices.map((row, index) => {
    const deviceName = row.deviceName.trim();
    const field = `Block device ${index + 1}`;
    if (!/^\/dev\/[a-z0-9]{2,16}$|^xvd[a-z]{1,2}$/.test(deviceName))
      problems.push({
        field,
        severity: 'error',
        message: `Device name "${deviceName.slice(0, 30)}" should look like /dev/xvdb or /dev/sda1.`,
      });
    if (names.has(deviceName))
      problems.push({ field, severity: 'error', message: `Device ${deviceName} appears twice.` });
    names.add(deviceName);
    const original = baseMappings.find((mapping) => mapping.DeviceName === deviceName && isObject(mapping.Ebs));
    const ebs: Json = { ...((original?.Ebs as Json | undefined) ?? {}) };
    for (const key of ['VolumeSize', 'VolumeType', 'Iops', 'Throughput', 'Encrypted', 'DeleteOnTermination'])
      delete ebs[key];
    const size = integer(row.volumeSize, `${field} size (GiB)`, 1, 65_536, problems);
    if (size !== undefined) ebs.VolumeSize = size;
    if (row.volumeType.trim()) ebs.VolumeType = row.volumeType.trim();
    const iops = integer(row.iops, `${field} IOPS`, 100, 256_000, problems);
    if (iops !== undefined) ebs.Iops = iops;
    const throughput = integer(row.throughput, `${field} throughput (MiB/s)`, 125, 4_000, problems);
    if (throughput !== undefined) ebs.Throughput = throughput;
    if (row.encrypted) ebs.Encrypted = true;
    else if (original && (original.Ebs as Json).Encrypted === false) ebs.Encrypted = false;
    ebs.DeleteOnTermination = row.deleteOnTermination;
    return { ...original, DeviceName: deviceName, Ebs: ebs };
  });
  const otherMappings = baseMappings.filter(
    (mapping) => !isObject(mapping.Ebs) && !names.has(String(mapping.DeviceName)),
  );
  if (ebsMappings.length || otherMappings.length) data.BlockDeviceMappings = [...ebsMappings, ...otherMappings];

  if (form.disableApiTermination) data.DisableApiTermination = true;
  else if (base.DisableApiTermination !== undefined) data.DisableApiTermination = false;

  if (problems.length) throw new FormError(problems);
  return data;
}

/** Checks the form can make without AWS: IMDSv2. */
export function localFindings(form: LaunchTemplateForm): Finding[] {
  const findings: Finding[] = [];
  if (form.httpTokens !== 'required')
    findings.push({
      field: 'Metadata options',
      severity: 'warning',
      message: 'IMDSv2 is not required: instances accept IMDSv1 requests.',
      fix: 'Set "HTTP tokens" to Required.',
    });
  return findings;
}
