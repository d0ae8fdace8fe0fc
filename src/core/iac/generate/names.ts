import type { LiveResource } from './live';

/** The resource's Name tag, if it has one. */
export function nameTag(resource: LiveResource): string | undefined {
  const tags = (resource.record.Tags ?? []) as Array<{ Key?: string; Value?: string }>;
  return (
    tags.find((tag) => tag.Key === 'Name')?.Value || resource.record.GroupName || resource.record.LaunchTemplateName
  );
}

const words = (text: string) => text.split(/[^A-Za-z0-9]+/).filter(Boolean);

const KIND_WORD: Record<LiveResource['kind'], string> = {
  vpc: 'vpc',
  subnet: 'subnet',
  routeTable: 'route table',
  internetGateway: 'internet gateway',
  natGateway: 'nat gateway',
  securityGroup: 'security group',
  instance: 'instance',
  launchTemplate: 'launch template',
};

/** Names unique within one generated file, in the style of each format. */
export class NameAllocator {
  private readonly used = new Set<string>();

  constructor(private readonly style: 'cloudformation' | 'terraform') {}

  /** A name from the resource's Name tag (else its kind and ID), with a suffix when taken. */
  forResource(resource: LiveResource, suffix = ''): string {
    const base = nameTag(resource) ?? `${KIND_WORD[resource.kind]} ${resource.id.replace(/^[a-z]+-/, '')}`;
    return this.take(`${base} ${suffix}`);
  }

  take(text: string): string {
    const parts = words(text).slice(0, 12);
    let base =
      this.style === 'cloudformation'
        ? parts.map((part) => part[0].toUpperCase() + part.slice(1)).join('')
        : parts.map((part) => part.toLowerCase()).join('_');
    if (!base) base = this.style === 'cloudformation' ? 'Resource' : 'resource';
    // Terraform names must not start with a digit; CloudFormation logical IDs must be alphanumeric.
    if (/^[0-9]/.test(base)) base = this.style === 'cloudformation' ? `R${base}` : `r_${base}`;
    base = base.slice(0, 200);
    let name = base;
    for (let n = 2; this.used.has(name.toLowerCase()); n++)
      name = this.style === 'cloudformation' ? `${base}${n}` : `${base}_${n}`;
    this.used.add(name.toLowerCase());
    return name;
  }
}

/** The order names are given in: an instance gets its Name tag before a launch template with the same Name. */
const NAME_ORDER: Array<LiveResource['kind']> = [
  'vpc',
  'subnet',
  'internetGateway',
  'natGateway',
  'routeTable',
  'securityGroup',
  'instance',
  'launchTemplate',
];

export function byNameOrder(resources: LiveResource[]): LiveResource[] {
  return [...resources].sort((a, b) => NAME_ORDER.indexOf(a.kind) - NAME_ORDER.indexOf(b.kind));
}
