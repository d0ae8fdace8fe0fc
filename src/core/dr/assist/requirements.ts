/**
 * DR configuration from requirements: "web, app and db by the Role tag, RTO 30 minutes" → one protection
 * group per tier (selected by tag) and a recovery plan whose waves run data tier first. The result is a
 * preview (relative path + YAML text); nothing is written here. Every file is checked with the parser.
 */
import { z } from 'zod';
import { parseDrDocument } from '../parse';
import { protectionGroupTemplate, recoveryPlanTemplate } from '../templates';
import { NAME_PATTERN, PROTECTION_GROUP_SUFFIXES, RECOVERY_PLAN_SUFFIXES, REGION_PATTERN } from '../model';

export const MAX_REQUIREMENTS_TEXT = 2000;
export const MAX_TIERS = 20;
const TIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$/;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f]+$/;

export const drRequirementsSchema = z.object({
  /** Tiers in recovery order (first recovered first). */
  tiers: z
    .array(z.string().regex(TIER_PATTERN, 'a tier is 1-60 letters, digits, ".", "_" or "-"'))
    .min(1)
    .max(MAX_TIERS),
  tagKey: z.string().min(1).max(128).regex(NO_CONTROL_CHARACTERS, 'no control characters').default('Role'),
  rtoMinutes: z.number().int().min(1).max(10080).optional(),
  rpoMinutes: z.number().int().min(1).max(10080).optional(),
  region: z.string().regex(new RegExp(REGION_PATTERN)).default('us-east-1'),
  planName: z.string().regex(new RegExp(NAME_PATTERN)).max(100).optional(),
});
export type DrRequirements = z.input<typeof drRequirementsSchema>;

export interface PreviewFile {
  /** Relative to the workspace folder, with forward slashes. */
  path: string;
  text: string;
}

export type RequirementsResult =
  { ok: true; files: PreviewFile[]; understood: string[] } | { ok: false; message: string; understood: string[] };

/** Recovery rank of well-known tier names: data first, then application, then front ends. */
const TIER_RANK: Array<[RegExp, number]> = [
  [/^(db|database|data|sql|mysql|postgres|postgresql|oracle|mongo|mongodb|redis|cache|storage|dwh)$/i, 0],
  [/^(app|apps|application|api|backend|service|services|middleware|worker|workers|queue|mq)$/i, 1],
  [/^(web|www|frontend|front|ui|proxy|lb|edge|nginx)$/i, 2],
];
const KNOWN_TIER = new RegExp(`^(?:${TIER_RANK.map(([pattern]) => pattern.source.slice(2, -2)).join('|')})$`, 'i');

function rankOf(tier: string): number {
  return TIER_RANK.find(([pattern]) => pattern.test(tier))?.[1] ?? 1;
}

/** Reads tiers, tag key, RTO, RPO and region from a short sentence. Linear in the input; bounded. */
export function parseRequirementsText(text: string): {
  requirements?: DrRequirements;
  understood: string[];
  problem?: string;
} {
  const understood: string[] = [];
  if (text.length > MAX_REQUIREMENTS_TEXT)
    return { understood, problem: `The description is longer than ${MAX_REQUIREMENTS_TEXT} characters.` };
  const words = text.match(/[A-Za-z0-9][A-Za-z0-9._:-]*/g) ?? [];
  const tiers: string[] = [];
  for (const word of words) {
    const clean = word.replace(/[.:]+$/, '');
    if (KNOWN_TIER.test(clean) && !tiers.some((tier) => tier.toLowerCase() === clean.toLowerCase()))
      tiers.push(clean.toLowerCase());
  }
  const explicitTiers = /\btiers?\s*[:=]\s*([A-Za-z0-9._-]+(?:\s*,\s*[A-Za-z0-9._-]+)*)/i.exec(text);
  if (explicitTiers) {
    tiers.length = 0;
    for (const tier of explicitTiers[1].split(/\s*,\s*/)) if (!tiers.includes(tier)) tiers.push(tier);
  }
  const tag =
    /\b(?:by|using|with)\s+(?:the\s+)?["'`]?([A-Za-z0-9_.:/+=@-]{1,128})["'`]?\s+tag\b/i.exec(text) ??
    /\btag(?:\s+key)?\s*[:=]?\s*["'`]?([A-Za-z0-9_.:/+=@-]{1,128})["'`]?/i.exec(text);
  const minutes = (label: string): number | undefined => {
    const match = new RegExp(
      `\\b${label}\\b\\s*(?:of|=|:|is|under|below|<=?)?\\s*(\\d{1,5})\\s*(m|min|mins|minutes?|h|hr|hrs|hours?)?\\b`,
      'i',
    ).exec(text);
    if (!match) return undefined;
    const value = Number(match[1]);
    return match[2] && /^h/i.test(match[2]) ? value * 60 : value;
  };
  const rto = minutes('RTO');
  const rpo = minutes('RPO');
  const region = /\b([a-z]{2}(?:-[a-z]+)+-[0-9])\b/.exec(text)?.[1];
  const ordered = explicitTiers ? tiers : [...tiers].sort((a, b) => rankOf(a) - rankOf(b));
  if (ordered.length) understood.push(`tiers in recovery order: ${ordered.join(' → ')}`);
  if (tag) understood.push(`tag key: ${tag[1]}`);
  if (rto !== undefined) understood.push(`RTO: ${rto} minutes`);
  if (rpo !== undefined) understood.push(`RPO: ${rpo} minutes`);
  if (region) understood.push(`region: ${region}`);
  if (!ordered.length) {
    return {
      understood,
      problem: `No tiers found. Name the tiers (e.g. "web, app and db by the Role tag, RTO 30 minutes") or list them with "tiers: a, b, c" in recovery order.`,
    };
  }
  return {
    understood,
    requirements: {
      tiers: ordered,
      ...(tag ? { tagKey: tag[1] } : {}),
      ...(rto !== undefined ? { rtoMinutes: rto } : {}),
      ...(rpo !== undefined ? { rpoMinutes: rpo } : {}),
      ...(region ? { region } : {}),
    },
  };
}

/** The files a DR setup for these requirements needs, each validated by the DR parser. Writes nothing. */
export function planFromRequirements(input: string | DrRequirements): RequirementsResult {
  let understood: string[] = [];
  let raw: DrRequirements;
  if (typeof input === 'string') {
    const parsed = parseRequirementsText(input);
    understood = parsed.understood;
    if (!parsed.requirements)
      return {
        ok: false,
        message: `${parsed.problem}${understood.length ? ` Understood: ${understood.join('; ')}.` : ' Nothing was understood.'}`,
        understood,
      };
    raw = parsed.requirements;
  } else raw = input;
  const checked = drRequirementsSchema.safeParse(raw);
  if (!checked.success) {
    const issues = checked.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`)
      .join('; ');
    return { ok: false, message: `The requirements are not usable: ${issues}.`, understood };
  }
  const requirements = checked.data;
  const lowered = requirements.tiers.map((tier) => tier.toLowerCase());
  const duplicate = lowered.find((tier, index) => lowered.indexOf(tier) !== index);
  if (duplicate) return { ok: false, message: `The tier "${duplicate}" is listed twice.`, understood };
  if (typeof input !== 'string')
    understood = [
      `tiers in recovery order: ${requirements.tiers.join(' → ')}`,
      `tag key: ${requirements.tagKey}`,
      ...(requirements.rtoMinutes ? [`RTO: ${requirements.rtoMinutes} minutes`] : []),
    ];

  const files: PreviewFile[] = [];
  const groupNames = requirements.tiers.map((tier) => `${tier}-tier`);
  requirements.tiers.forEach((tier, index) => {
    const text = protectionGroupTemplate({
      name: groupNames[index],
      region: requirements.region,
      tags: { [requirements.tagKey]: tier },
    });
    files.push({ path: `.pilotlight/dr/groups/${groupNames[index]}${PROTECTION_GROUP_SUFFIXES[0]}`, text });
  });
  const planName =
    requirements.planName ??
    (requirements.tiers.length <= 4 ? `${requirements.tiers.join('-')}-recovery` : 'dr-recovery').slice(0, 100);
  const planText = recoveryPlanTemplate({
    name: planName,
    groups: groupNames,
    ...(requirements.rtoMinutes ? { rtoMinutes: requirements.rtoMinutes } : {}),
    ...(requirements.rpoMinutes ? { rpoMinutes: requirements.rpoMinutes } : {}),
  });
  files.push({ path: `.pilotlight/dr/plans/${planName}${RECOVERY_PLAN_SUFFIXES[0]}`, text: planText });

  for (const file of files) {
    const result = parseDrDocument(
      file.text,
      file.path.endsWith(RECOVERY_PLAN_SUFFIXES[0]) ? 'RecoveryPlan' : 'ProtectionGroup',
    );
    const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (!result.document || errors.length)
      return {
        ok: false,
        message: `Generated ${file.path} does not validate (${errors.map((e) => e.message).join('; ')}); nothing to write.`,
        understood,
      };
  }
  return { ok: true, files, understood };
}
