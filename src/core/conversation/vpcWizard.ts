/**
 * The VPC wizard: a guided, multi-step creation (environment, name, AZs, CIDR, subnets, NAT) that ends in
 * the input of `ec2.vpcs.create`, which is then previewed and confirmed like every other change.
 * Stateless: the answers so far travel as `key=value` words, so chat follow-ups and quick picks share it.
 */

export type NatChoice = 'none' | 'single' | 'per-az';
export type SubnetChoice = 'both' | 'public' | 'private';

export interface VpcWizardState {
  environment?: string;
  name?: string;
  azs?: number;
  cidr?: string;
  subnets?: SubnetChoice;
  nat?: NatChoice;
}

export type WizardStepId = 'environment' | 'name' | 'azs' | 'cidr' | 'subnets' | 'nat';

export interface WizardOption {
  label: string;
  description?: string;
  /** The state after choosing this option. */
  state: VpcWizardState;
}

export interface WizardStep {
  id: WizardStepId;
  /** 1-based position and the number of steps, for "Step 2 of 6". */
  index: number;
  total: number;
  question: string;
  options: WizardOption[];
  /** For free-text answers (name, CIDR): how to type one. */
  freeText?: { key: keyof VpcWizardState; placeholder: string; validate(value: string): string | undefined };
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const NAME = /^[A-Za-z0-9][\w.-]{0,62}$/;

export function validateCidr(value: string): string | undefined {
  const match = CIDR.exec(value.trim());
  if (!match) return 'Enter an IPv4 CIDR block such as 10.20.0.0/16.';
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255)) return 'Each part of the address must be 0-255.';
  if (prefix < 16 || prefix > 28) return 'A VPC block must be between /16 and /28.';
  const base = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  if (base % 2 ** (32 - prefix) !== 0)
    return `The address is not aligned to /${prefix}; e.g. use ${octets.slice(0, 2).join('.')}.0.0/${prefix}.`;
  return undefined;
}

export function validateName(value: string): string | undefined {
  return NAME.test(value.trim())
    ? undefined
    : 'Use 1-63 letters, digits, dots, dashes or underscores, starting with a letter or digit.';
}

const KEYS: Array<keyof VpcWizardState> = ['environment', 'name', 'azs', 'cidr', 'subnets', 'nat'];

/** Reads `key=value` words; invalid values are dropped so the wizard asks again. */
export function parseWizardArgs(text: string): VpcWizardState {
  const state: VpcWizardState = {};
  for (const match of text.matchAll(/\b(environment|env|name|azs|az|cidr|subnets|nat)\s*=\s*([^\s,;]+)/gi)) {
    const key = match[1].toLowerCase();
    const value = match[2].trim();
    if (key === 'environment' || key === 'env') {
      if (/^[\w-]{1,40}$/.test(value)) state.environment = value;
    } else if (key === 'name') {
      if (!validateName(value)) state.name = value;
    } else if (key === 'azs' || key === 'az') {
      const count = Number(value);
      if (Number.isInteger(count) && count >= 1 && count <= 6) state.azs = count;
    } else if (key === 'cidr') {
      if (!validateCidr(value)) state.cidr = value;
    } else if (key === 'subnets') {
      if (['both', 'public', 'private'].includes(value.toLowerCase()))
        state.subnets = value.toLowerCase() as SubnetChoice;
    } else if (key === 'nat') {
      const nat = value.toLowerCase();
      if (nat === 'none' || nat === 'single' || nat === 'per-az') state.nat = nat;
    }
  }
  return state;
}

export function serializeWizardState(state: VpcWizardState): string {
  return KEYS.filter((key) => state[key] !== undefined)
    .map((key) => `${key}=${state[key]}`)
    .join(' ');
}

function stepsFor(state: VpcWizardState): WizardStepId[] {
  const steps: WizardStepId[] = ['environment', 'name', 'azs', 'cidr', 'subnets'];
  if (state.subnets === undefined || state.subnets === 'both') steps.push('nat');
  return steps;
}

/** The next question, or undefined when every answer is in. */
export function nextWizardStep(state: VpcWizardState, activeEnvironment?: string): WizardStep | undefined {
  const steps = stepsFor(state);
  const pending = steps.find((step) =>
    step === 'nat' ? state.nat === undefined && state.subnets === 'both' : state[step] === undefined,
  );
  if (!pending) return undefined;
  const index = steps.indexOf(pending) + 1;
  const base = { id: pending, index, total: steps.length };
  const choose = (patch: VpcWizardState) => ({ ...state, ...patch });
  switch (pending) {
    case 'environment': {
      const names = [
        ...new Set(
          [activeEnvironment, 'development', 'staging', 'production'].filter((env): env is string => Boolean(env)),
        ),
      ];
      return {
        ...base,
        question:
          'Which environment is the VPC for? It is tagged Environment=<name>, and protected environments need an approval.',
        options: names.map((env) => ({ label: env, state: choose({ environment: env }) })),
      };
    }
    case 'name': {
      const suggested = `${state.environment ?? 'app'}-vpc`.toLowerCase().replace(/[^\w.-]/g, '-');
      return {
        ...base,
        question: 'What should the VPC be called? Subnets, route tables and gateways are named after it.',
        options: [{ label: suggested, state: choose({ name: suggested }) }],
        freeText: { key: 'name', placeholder: suggested, validate: validateName },
      };
    }
    case 'azs':
      return {
        ...base,
        question: 'How many availability zones? Two or more keep the network up when one zone fails.',
        options: [1, 2, 3].map((count) => ({
          label: `${count} AZ${count > 1 ? 's' : ''}`,
          description: count === 1 ? 'no zone redundancy' : count === 2 ? 'recommended' : undefined,
          state: choose({ azs: count }),
        })),
      };
    case 'cidr':
      return {
        ...base,
        question: 'Which IPv4 CIDR block? Pick one that does not overlap networks you peer or connect with.',
        options: ['10.0.0.0/16', '10.20.0.0/16', '172.16.0.0/16'].map((cidr) => ({
          label: cidr,
          state: choose({ cidr }),
        })),
        freeText: { key: 'cidr', placeholder: '10.0.0.0/16', validate: validateCidr },
      };
    case 'subnets':
      return {
        ...base,
        question: 'Which subnets in each AZ?',
        options: [
          {
            label: 'Public and private',
            description: 'a public and a private /24 per AZ',
            state: choose({ subnets: 'both' }),
          },
          { label: 'Public only', state: choose({ subnets: 'public', nat: 'none' }) },
          {
            label: 'Private only',
            description: 'no internet gateway',
            state: choose({ subnets: 'private', nat: 'none' }),
          },
        ],
      };
    case 'nat':
      return {
        ...base,
        question: 'NAT for the private subnets? NAT gateways are billed hourly.',
        options: [
          { label: 'No NAT', description: 'private subnets have no internet access', state: choose({ nat: 'none' }) },
          {
            label: 'One shared NAT gateway',
            description: 'cheaper; one AZ is a single point of failure',
            state: choose({ nat: 'single' }),
          },
          { label: 'One NAT gateway per AZ', description: 'zone-redundant', state: choose({ nat: 'per-az' }) },
        ],
      };
  }
}

/** The `ec2.vpcs.create` input for a completed wizard. */
export function toCreateVpcInput(
  state: Required<Pick<VpcWizardState, 'name' | 'cidr' | 'azs' | 'subnets'>> & VpcWizardState,
): Record<string, unknown> {
  return {
    name: state.name,
    cidrBlock: state.cidr,
    availabilityZoneCount: state.azs,
    publicSubnets: state.subnets !== 'private',
    privateSubnets: state.subnets !== 'public',
    natGateways: state.subnets === 'both' ? (state.nat ?? 'none') : 'none',
    ...(state.environment ? { tags: { Environment: state.environment } } : {}),
  };
}

export function isComplete(
  state: VpcWizardState,
): state is Required<Pick<VpcWizardState, 'name' | 'cidr' | 'azs' | 'subnets'>> & VpcWizardState {
  return nextWizardStep(state) === undefined;
}

/** A readable summary of the answers so far. */
export function describeWizardState(state: VpcWizardState): string[] {
  const lines: string[] = [];
  if (state.environment) lines.push(`Environment: ${state.environment}`);
  if (state.name) lines.push(`Name: ${state.name}`);
  if (state.azs) lines.push(`Availability zones: ${state.azs}`);
  if (state.cidr) lines.push(`CIDR: ${state.cidr}`);
  if (state.subnets)
    lines.push(`Subnets: ${state.subnets === 'both' ? 'public and private' : `${state.subnets} only`}`);
  if (state.nat)
    lines.push(`NAT: ${state.nat === 'none' ? 'none' : state.nat === 'single' ? 'one shared gateway' : 'one per AZ'}`);
  return lines;
}
