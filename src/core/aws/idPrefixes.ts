/** EC2 resource-ID prefixes and the resource types they name (the explorer's type ids). */
export const EC2_ID_PREFIX_TYPES: Readonly<Record<string, string>> = Object.freeze({
  i: 'ec2:instance',
  vol: 'ec2:volume',
  snap: 'ec2:snapshot',
  sg: 'ec2:security-group',
  vpc: 'ec2:vpc',
  subnet: 'ec2:subnet',
  eipalloc: 'ec2:elastic-ip',
  ami: 'ec2:image',
  lt: 'ec2:launch-template',
  igw: 'ec2:internet-gateway',
  nat: 'ec2:nat-gateway',
  rtb: 'ec2:route-table',
  eni: 'ec2:network-interface',
});

/** The type an EC2 resource ID names, e.g. `ec2:volume` for `vol-0123…`; undefined for an unknown prefix. */
export function ec2TypeOfId(id: string): string | undefined {
  return EC2_ID_PREFIX_TYPES[id.slice(0, id.lastIndexOf('-'))];
}
