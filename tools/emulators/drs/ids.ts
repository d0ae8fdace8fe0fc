import { randomBytes } from 'node:crypto';

/** Default account of moto and of the emulator. */
export const DEFAULT_ACCOUNT_ID = '123456789012';

function hex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

export const SOURCE_SERVER_ID_PATTERN = /^s-[0-9a-zA-Z]{17}$/;
export const JOB_ID_PATTERN = /^drsjob-[0-9a-zA-Z]{17}$/;
export const RECOVERY_INSTANCE_ID_PATTERN = /^i-[0-9a-fA-F]{8,}$/;
export const DRS_ARN_PATTERN = /^arn:aws:drs:([a-z0-9-]+):(\d{12}):(source-server|job|recovery-instance)\/(.+)$/;

export function newSourceServerId(): string {
  return `s-${hex(17)}`;
}

export function newJobId(): string {
  return `drsjob-${hex(17)}`;
}

/** Conversion servers are short-lived EC2 instances in the staging area. */
export function newConversionServerId(): string {
  return `i-${hex(17)}`;
}

export function newMacAddress(): string {
  const bytes = randomBytes(6);
  bytes[0] = (bytes[0] & 0xfe) | 0x02; // locally administered, unicast
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

export function newHardwareId(): string {
  const h = hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export type DrsResourceKind = 'source-server' | 'job' | 'recovery-instance';

export function drsArn(region: string, accountId: string, kind: DrsResourceKind, id: string): string {
  return `arn:aws:drs:${region}:${accountId}:${kind}/${id}`;
}

export interface ParsedDrsArn {
  region: string;
  accountId: string;
  kind: DrsResourceKind;
  id: string;
}

export function parseDrsArn(arn: string): ParsedDrsArn | undefined {
  const match = DRS_ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  return { region: match[1], accountId: match[2], kind: match[3] as DrsResourceKind, id: match[4] };
}
