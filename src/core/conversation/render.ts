/**
 * Markdown for deterministic chat answers. Every value that comes from AWS is escaped (see markdown.ts).
 */
import type { ResourceFact } from '../insights/facts';
import { crossAccountNote, type OperationPreview } from '../operations/preview';
import { kindOf } from '../insights/facts';
import type { SecurityReport } from '../insights/security';
import { CATEGORY_TITLES, type UnusedReport } from '../insights/unused';
import { codeBlock, escapeMarkdown, inlineCode, plural, table, usd } from './markdown';

/** Rows shown per table; the rest are counted, so a chat answer stays readable. */
export const MAX_ROWS_PER_TABLE = 50;

function moreLine(hidden: number, what: string): string {
  return hidden > 0
    ? `\n\n_… and ${hidden} more ${escapeMarkdown(what)}; narrow the question (type, tag, environment, name) to see them._`
    : '';
}

export function renderFacts(
  facts: ResourceFact[],
  options: { heading: string; truncated?: boolean; showRegion?: boolean },
): string {
  if (!facts.length) return `**${escapeMarkdown(options.heading, 300)}**\n\nNothing matches.`;
  const byType = new Map<string, ResourceFact[]>();
  for (const fact of facts) byType.set(fact.type, [...(byType.get(fact.type) ?? []), fact]);
  const sections = [`**${escapeMarkdown(options.heading, 300)}**: ${plural(facts.length, 'resource')}`];
  for (const [type, group] of byType) {
    const title = kindOf(type)?.title ?? type;
    const rows = group
      .slice(0, MAX_ROWS_PER_TABLE)
      .map((fact) => [
        fact.name,
        fact.id,
        fact.state ?? '',
        `${fact.environment}${fact.protected ? ' (protected)' : ''}`,
        fact.details.join(' · '),
        ...(options.showRegion ? [fact.region] : []),
      ]);
    sections.push(
      `### ${escapeMarkdown(title)} (${group.length})\n\n${table(['Name', 'ID', 'State', 'Environment', 'Details', ...(options.showRegion ? ['Region'] : [])], rows)}${moreLine(group.length - rows.length, title)}`,
    );
  }
  if (options.truncated)
    sections.push('_Only the first 1000 of each type were read; narrow the query to see the rest._');
  return sections.join('\n\n');
}

const SEVERITY_BADGE: Record<string, string> = { high: '🔴 High', medium: '🟠 Medium', low: '🟡 Low' };

export function renderSecurityReport(report: SecurityReport): string {
  const checked = `Checked ${plural(report.checked.roles, 'IAM role')}, ${plural(report.checked.policies, 'customer-managed policy', 'customer-managed policies')} and ${plural(report.checked.securityGroups, 'security group')}.`;
  const parts: string[] = [];
  if (!report.complete)
    parts.push(
      `**Incomplete scan:** some checks could not run (listed below), so this is not a clean result. ${checked}`,
    );
  if (!report.findings.length)
    parts.push(report.complete ? `**No security findings.** ${checked}` : 'No findings among what could be checked.');
  else {
    const high = report.findings.filter((finding) => finding.severity === 'high').length;
    parts.push(`**${plural(report.findings.length, 'security finding')}** (${high} high). ${checked}`);
    const groups: Array<[string, typeof report.findings]> = [
      [
        'IAM policies',
        report.findings.filter(
          (finding) => finding.resource.type.startsWith('iam:') && finding.rule !== 'wildcard-principal',
        ),
      ],
      ['Trust policies', report.findings.filter((finding) => finding.rule === 'wildcard-principal')],
      ['Security groups', report.findings.filter((finding) => finding.resource.type === 'ec2:security-group')],
    ];
    for (const [title, findings] of groups) {
      if (!findings.length) continue;
      const lines = findings.map((finding) => {
        const where = [
          finding.policy && `policy ${escapeMarkdown(finding.policy, 100)}`,
          finding.statement && escapeMarkdown(finding.statement, 80),
        ]
          .filter(Boolean)
          .join(', ');
        const subject = `${escapeMarkdown(finding.resource.name ?? finding.resource.id)} ${inlineCode(finding.resource.id, 100)}${finding.resource.environment ? ` [${escapeMarkdown(finding.resource.environment)}]` : ''}`;
        return `- ${SEVERITY_BADGE[finding.severity]} · ${subject}${where ? ` (${where})` : ''}: ${escapeMarkdown(finding.message, 400)}  \n  _Fix:_ ${escapeMarkdown(finding.fix, 300)}`;
      });
      parts.push(`### ${title}\n\n${lines.join('\n')}`);
    }
  }
  if (report.truncated) parts.push('_Some lists were longer than the scan limits and were cut._');
  if (report.errors.length)
    parts.push(
      `Could not check everything:\n${report.errors.map((error) => `- ${escapeMarkdown(error, 300)}`).join('\n')}`,
    );
  return parts.join('\n\n');
}

export function renderUnusedReport(report: UnusedReport): string {
  const parts: string[] = [];
  if (!report.complete)
    parts.push(
      `**Incomplete:** some checks could not run (listed below), so this is not a clean result.${report.notChecked.length ? ` Not checked: ${report.notChecked.map((entry) => `${CATEGORY_TITLES[entry.category].toLowerCase()} (${escapeMarkdown(entry.reason, 200)})`).join('; ')}.` : ''}`,
    );
  if (!report.findings.length)
    parts.push(
      `**${report.complete ? 'Nothing unused found.' : 'Nothing unused among what could be checked.'}** Checked ${plural(report.checked.volumes, 'volume')}, ${plural(report.checked.addresses, 'Elastic IP')}, ${plural(report.checked.instances, 'instance')} and ${plural(report.checked.snapshots, 'snapshot')}.`,
    );
  else {
    parts.push(
      `**${plural(report.findings.length, 'unused resource')}**, about **${usd(report.totalMonthlyUsd)}/month** in total.`,
    );
    for (const category of Object.keys(CATEGORY_TITLES) as Array<keyof typeof CATEGORY_TITLES>) {
      const findings = report.findings.filter((finding) => finding.category === category);
      if (!findings.length) continue;
      const subtotal = findings.reduce((sum, finding) => sum + finding.monthlyUsd, 0);
      const title =
        category === 'stopped-instance'
          ? `${CATEGORY_TITLES[category]} (≥ ${report.stoppedDays} days)`
          : CATEGORY_TITLES[category];
      parts.push(
        `### ${title}: ${usd(subtotal)}/month (${findings.length})\n\n${table(
          ['Name', 'ID', 'Environment', 'Why', 'Est. per month', 'Covers'],
          findings
            .slice(0, MAX_ROWS_PER_TABLE)
            .map((finding) => [
              finding.resource.name ?? finding.resource.id,
              finding.resource.id,
              finding.resource.environment ?? '',
              finding.reason,
              usd(finding.monthlyUsd),
              finding.costNote,
            ]),
          160,
        )}${moreLine(findings.length - MAX_ROWS_PER_TABLE, title)}`,
      );
    }
  }
  parts.push(`_${escapeMarkdown(report.priceTable.note, 400)}_`);
  if (report.truncated.length)
    parts.push(`_Only the first part of these lists was checked: ${escapeMarkdown(report.truncated.join(', '))}._`);
  if (report.errors.length)
    parts.push(
      `Could not check everything:\n${report.errors.map((error) => `- ${escapeMarkdown(error, 300)}`).join('\n')}`,
    );
  return parts.join('\n\n');
}

/** What a write tool's confirmation shows: account, region, environment, resources, verdict and the full preview. */
export function renderConfirmation(preview: OperationPreview, previewText: string, activeAccount?: string): string {
  const environments = preview.environments.join(', ') || 'unknown';
  const targets = preview.resources.filter((resource) => resource.role === 'target');
  const verdict =
    preview.guardrails.verdict === 'refused'
      ? `**Pilot Light will refuse this:** ${escapeMarkdown(preview.guardrails.refusals.map((refusal) => refusal.message).join(' '), 600)}`
      : preview.guardrails.verdict === 'needs-approval'
        ? `**Approval required:** after you continue, Pilot Light asks you to type \`${escapeMarkdown(preview.guardrails.approval?.requiredConfirmation ?? environments, 80)}\`.`
        : preview.guardrails.verdict === 'needs-confirmation'
          ? '**Confirmation required:** Pilot Light asks once more with this preview.'
          : 'Allowed by the guardrails.';
  const crossAccount = crossAccountNote(preview, activeAccount);
  return [
    ...(crossAccount ? [`**${escapeMarkdown(crossAccount, 300)}**`] : []),
    `**Account** ${inlineCode(preview.account)}${preview.accountName ? ` (${escapeMarkdown(preview.accountName, 60)})` : ''}${preview.accountAlias && preview.accountAlias !== preview.accountName ? ` · alias ${inlineCode(preview.accountAlias)}` : ''} · **Region** ${inlineCode(preview.region)} · **Environment** ${escapeMarkdown(environments)}${preview.protectedEnvironments.length ? ' (protected)' : ''}`,
    targets.length
      ? `Resources:\n${targets
          .slice(0, 20)
          .map(
            (resource) =>
              `- ${escapeMarkdown(resource.action)} ${escapeMarkdown(resource.type)} ${inlineCode(resource.id)}${resource.name && resource.name !== resource.id ? ` (${escapeMarkdown(resource.name, 80)})` : ''} [${escapeMarkdown(resource.environment)}]`,
          )
          .join('\n')}`
      : '',
    verdict,
    renderPreview(previewText),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** A dry-run preview as an inert block (it holds resource names). */
export function renderPreview(previewText: string): string {
  return codeBlock(previewText);
}

/** The line under every chat answer: which account (ID, alias) and region it speaks of, never guessed. */
export function renderAnswerContext(info: {
  account?: string;
  alias?: string;
  region: string;
  profile: string;
}): string {
  const account = info.account
    ? `${inlineCode(info.account)}${info.alias ? ` (alias ${inlineCode(info.alias)})` : ''}`
    : 'unknown (the credentials could not be read)';
  return `_Account ${account} · region ${inlineCode(info.region)} · profile ${inlineCode(info.profile)}_`;
}

export interface ContextInfo {
  profile: string;
  account?: string;
  callerArn?: string;
  region: string;
  endpoint?: string;
  environment?: string;
  protectedEnvironments: string[];
  auditPath?: string;
  error?: string;
}

export function renderContext(info: ContextInfo): string {
  const rows: Array<[string, string]> = [
    ['Profile', info.profile],
    ['Account', info.account ?? (info.error ? `unknown (${info.error})` : 'unknown')],
    ['Region', info.region],
    ['Environment focus', info.environment ?? 'all environments'],
    ['Protected environments', info.protectedEnvironments.join(', ') || 'none'],
  ];
  if (info.endpoint) rows.push(['Endpoint', info.endpoint]);
  if (info.callerArn) rows.push(['Caller', info.callerArn]);
  if (info.auditPath) rows.push(['Audit trail', info.auditPath]);
  return `${table(['', ''], rows, 200)}\n\nSwitch with \`/context region <code>\`, \`/context profile <name>\` or \`/context environment <name|all>\`.`;
}

export const HELP_MARKDOWN = [
  'I can answer these without a language model:',
  '',
  "- `/resources what's running in production?`: query by type, tag (`Team=core`), state or environment; DRS too (`/resources which source servers are stalled?`)",
  '- `/security`: IAM policies that are too broad, and security groups open to the internet on admin ports',
  '- `/unused`: unattached volumes, unassociated Elastic IPs, long-stopped instances and orphaned snapshots, with monthly cost',
  '- `/insights` (or "what should I look at?"): the top insights: unattached volumes and their cost, RDS storage, open security groups, unpatched instances',
  '- `/context`: show or switch account (profile), region and environment',
  '- `/wizard vpc`: create a VPC step by step, ending in a previewed, confirmed change',
  '- `/containers`: ECS and EKS in plain words: "Scale the web service to 5 tasks", "Deploy my-api:latest to the production cluster", "Rollback the API service to the previous version", "Show me logs from the payment-service containers"',
  '',
  '- free text such as "find things I\'m paying for but not using", "resources created in the last 24 hours", "which instances are in the private subnet?", "show me all resources tagged with project=alpha"',
  '',
  'You can also ask things like "stop web-1", "stop the app server" or "stop it in staging only": I show a dry-run first, and nothing changes until you approve it.',
].join('\n');
