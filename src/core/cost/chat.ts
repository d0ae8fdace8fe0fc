/**
 * `@aws /cost` answers without a language model: Markdown tables from registered reads, and changes
 * (budgets, schedules) only as dry-runs with a button the user must click. Nothing here changes AWS.
 */
import type { ChatAction, ChatFollowup } from '../conversation/chatAction';
import { codeBlock, escapeMarkdown, inlineCode, plural, table } from '../conversation/markdown';
import type { ReadOperation } from '../insights/reads';
import type { BudgetSummary } from '../operations/costOperations';
import type { InstanceScheduleSummary } from '../operations/costSchedules';
import { COST_HELP, type CostRequest } from './chatIntent';
import { PriceBook, priceBookFrom } from './priceBook';
import type { PriceCache } from './priceCache';
import { refreshRegionPrices } from './priceRefresh';
import { RIGHTSIZING_THRESHOLDS, rightsizingReport, savingsReport, type SavingsReport } from './rightsizing';
import {
  describePayment,
  describeSavingsPlansType,
  describeTerm,
  hourlyMoney,
  OPTIMIZER_SOURCE,
} from './savingsRecommendations';
import { dailyCron } from './scheduleExpression';
import { money, readGroupedSpend, readSpendSummary, spendPeriods, topGroups, type SpendSummary } from './spend';

export interface CostAnswerContext {
  read: ReadOperation;
  dryRun(
    operationId: string,
    input: Record<string, unknown>,
  ): Promise<{ status: 'dry-run' | 'refused' | 'failed'; correlationId?: string; verdict?: string; text: string }>;
  region: string;
  account?: string;
  now?: Date;
  /** Prices fetched from the AWS Price List (extension global storage); without it, the bundled table only. */
  priceCache?: PriceCache;
}

type Action = Exclude<ChatAction, { kind: 'show-in-explorer' }>;

export interface CostAnswer {
  markdown: string;
  touched: never[];
  actions: Action[];
  followups: ChatFollowup[];
}

function answer(markdown: string, extra: Partial<CostAnswer> = {}): CostAnswer {
  return { markdown, touched: [], actions: [], followups: [], ...extra };
}

const where = (ctx: CostAnswerContext) =>
  `_Account ${ctx.account ? inlineCode(ctx.account) : 'unknown'}, region ${inlineCode(ctx.region)}._`;

const FOLLOWUPS: ChatFollowup[] = [
  { label: 'Spend by service last month', prompt: 'by service last month', command: 'cost' },
  { label: 'Budgets', prompt: 'budgets', command: 'cost' },
  { label: 'Right-sizing', prompt: 'right-sizing', command: 'cost' },
  { label: 'Savings Plans', prompt: 'savings', command: 'cost' },
];

export function renderSpendSummary(summary: SpendSummary): string {
  const line = (
    label: string,
    figure: SpendSummary['thisMonth'] | SpendSummary['lastMonth'] | SpendSummary['forecast'],
  ) =>
    figure.available
      ? [
          label,
          `${figure.value.period.start} – ${figure.value.period.end} (end exclusive)`,
          money(figure.value.total, figure.value.unit),
        ]
      : [label, '', `${label.toLowerCase().startsWith('forecast') ? 'forecast: ' : ''}${figure.reason}`];
  const parts = [
    '**Spend** (Cost Explorer, unblended cost)',
    '',
    table(
      ['', 'Period', 'Amount'],
      [
        line('This month (to date)', summary.thisMonth),
        line('Last month', summary.lastMonth),
        line('Forecast (rest of this month)', summary.forecast),
      ],
    ),
  ];
  if (summary.thisMonth.available && summary.thisMonth.value.services.length) {
    const services = topGroups(summary.thisMonth.value.services, 5);
    const total = summary.thisMonth.value.total || 1;
    parts.push(
      '',
      '**Top services this month**',
      '',
      table(
        ['Service', 'Amount', 'Share'],
        services.map((service) => [
          service.key || '(none)',
          money(service.amount, service.unit),
          `${Math.round((service.amount / total) * 100)}%`,
        ]),
      ),
    );
  }
  return parts.join('\n');
}

async function overview(ctx: CostAnswerContext): Promise<CostAnswer> {
  const summary = await readSpendSummary(ctx.read, ctx.now ?? new Date());
  return answer(`${renderSpendSummary(summary)}\n\n${where(ctx)}`, { followups: FOLLOWUPS });
}

async function grouped(
  ctx: CostAnswerContext,
  request: Extract<CostRequest, { kind: 'grouped' }>,
): Promise<CostAnswer> {
  const periods = spendPeriods(ctx.now ?? new Date());
  const period = request.period === 'last-month' ? periods.lastMonth : periods.thisMonth;
  const spend = await readGroupedSpend(ctx.read, period, request.grouping);
  const label =
    'tagKey' in request.grouping
      ? `tag ${inlineCode(request.grouping.tagKey, 60)}`
      : { SERVICE: 'service', LINKED_ACCOUNT: 'linked account', REGION: 'region' }[request.grouping.dimension];
  const rows = topGroups(spend.groups, 15).map((group) => [
    group.key || ('tagKey' in request.grouping ? '(untagged)' : '(none)'),
    money(group.amount, group.unit),
  ]);
  return answer(
    [
      `**Spend by ${label}**, ${request.period === 'last-month' ? 'last month' : 'this month to date'} (${period.start} – ${period.end}, end exclusive): ${money(spend.total, spend.unit)}`,
      '',
      rows.length
        ? table(['tagKey' in request.grouping ? 'Tag value' : 'Group', 'Amount'], rows)
        : '_Cost Explorer returned no spend for this period._',
      spend.truncated ? '\n_More pages existed than were read; the figures are partial._' : '',
      '',
      where(ctx),
    ].join('\n'),
    { followups: FOLLOWUPS },
  );
}

async function budgets(ctx: CostAnswerContext): Promise<CostAnswer> {
  const list = (await ctx.read('budgets.budgets.list', {})) as BudgetSummary[];
  if (!list.length)
    return answer(`There are no budgets in this account.\n\n${where(ctx)}`, {
      followups: [
        {
          label: 'Create a budget',
          prompt: 'create a budget of 500 for monthly-cost alert 80% to you@example.com',
          command: 'cost',
        },
      ],
    });
  return answer(
    [
      `**${plural(list.length, 'budget')}**, actual vs limit`,
      '',
      table(
        ['Budget', 'Period', 'Actual', 'Limit', 'Used', 'Forecast'],
        list.map((budget) => [
          budget.name,
          budget.timeUnit.toLowerCase(),
          money(budget.actual, budget.unit),
          money(budget.limit, budget.unit),
          budget.percentUsed === undefined ? '' : `${budget.percentUsed}%${budget.percentUsed >= 100 ? ' (over)' : ''}`,
          budget.forecasted === undefined ? '' : money(budget.forecasted, budget.unit),
        ]),
      ),
      '',
      where(ctx),
    ].join('\n'),
  );
}

/** Dry-runs a change and offers a button to run it (or says why it cannot). */
async function proposal(ctx: CostAnswerContext, label: string, operationId: string, input: Record<string, unknown>) {
  const preview = await ctx.dryRun(operationId, input);
  if (preview.status !== 'dry-run')
    return {
      markdown: `**${escapeMarkdown(label, 200)}** cannot be previewed: ${escapeMarkdown(preview.text, 600)}`,
      actions: [] as Action[],
    };
  const actions: Action[] =
    preview.verdict === 'refused'
      ? []
      : [
          {
            kind: 'run',
            title: preview.verdict === 'needs-approval' ? `Approve and run: ${label}` : `Run: ${label}`,
            operationId,
            input,
            region: ctx.region,
            correlationId: preview.correlationId,
          },
        ];
  const note =
    preview.verdict === 'refused'
      ? 'The guardrails refuse this change, so there is nothing to run.'
      : preview.verdict === 'needs-approval'
        ? 'This touches a protected environment: running it asks for an approval (type the environment name).'
        : 'Review the dry-run, then use the button to run it.';
  return {
    markdown: `**Dry-run of "${escapeMarkdown(label, 200)}"**: nothing has changed yet.\n\n${codeBlock(preview.text)}\n\n${note}`,
    actions,
  };
}

async function createBudget(ctx: CostAnswerContext, request: Extract<CostRequest, { kind: 'create-budget' }>) {
  if (!request.email)
    return answer(
      `Who gets the alert? Add an e-mail address, e.g. "create a budget of ${request.limitUsd} for ${escapeMarkdown(request.name, 100)} alert ${request.alertThresholdPercent}% to oncall@example.com".`,
    );
  const result = await proposal(
    ctx,
    `Create budget ${request.name} ($${request.limitUsd}/month)`,
    'budgets.budgets.create',
    {
      name: request.name,
      limitUsd: request.limitUsd,
      alertThresholdPercent: request.alertThresholdPercent,
      email: request.email,
    },
  );
  return answer(result.markdown, { actions: result.actions });
}

function scheduleName(action: string, tagValue: string, hour: number, minute: number): string {
  const safe = tagValue.replace(/[^0-9a-zA-Z_.-]+/g, '-').slice(0, 40) || 'instances';
  return `${action}-${safe}-${String(hour).padStart(2, '0')}${String(minute).padStart(2, '0')}`;
}

async function scheduleInstances(
  ctx: CostAnswerContext,
  request: Extract<CostRequest, { kind: 'schedule-instances' }>,
) {
  const parts: string[] = [];
  const actions: Action[] = [];
  for (const step of request.actions) {
    const input = {
      name: scheduleName(step.action, request.tagValue, step.hour, step.minute),
      action: step.action,
      expression: dailyCron(step.hour, step.minute, request.weekdaysOnly),
      timeZone: request.timeZone,
      tagKey: request.tagKey,
      tagValue: request.tagValue,
    };
    const time = `${String(step.hour).padStart(2, '0')}:${String(step.minute).padStart(2, '0')}`;
    const result = await proposal(
      ctx,
      `${step.action === 'stop' ? 'Stop' : 'Start'} ${request.tagKey}=${request.tagValue} instances at ${time} ${request.timeZone}${request.weekdaysOnly ? ' on weekdays' : ''}`,
      'scheduler.instanceSchedules.create',
      input,
    );
    parts.push(result.markdown);
    actions.push(...result.actions);
  }
  return answer(
    `${parts.join('\n\n')}\n\nEach schedule starts SSM Automation (AWS-StopEC2Instance / AWS-StartEC2Instance) through EventBridge Scheduler's universal target; the tag is resolved when it runs, so instances tagged later are included.\n\n${where(ctx)}`,
    { actions },
  );
}

const clock = (iso: string | undefined, zone: string) =>
  iso
    ? `${new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))} ${zone}`
    : '';

async function schedules(ctx: CostAnswerContext): Promise<CostAnswer> {
  const list = (await ctx.read('scheduler.instanceSchedules.list', {})) as InstanceScheduleSummary[];
  if (!list.length)
    return answer(`There are no EventBridge Scheduler schedules in ${inlineCode(ctx.region)}.\n\n${where(ctx)}`, {
      followups: [
        {
          label: 'Stop dev instances at 6 PM',
          prompt: 'stop dev instances at 6 PM, start at 8 AM on weekdays',
          command: 'cost',
        },
      ],
    });
  return answer(
    [
      `**${plural(list.length, 'schedule')}** in ${inlineCode(ctx.region)}`,
      '',
      table(
        ['Schedule', 'Action', 'Expression', 'Next run', 'Instances'],
        list.map((schedule) => [
          `${schedule.group}/${schedule.name}`,
          schedule.action,
          `${schedule.expression ?? ''} (${schedule.timeZone})`,
          schedule.nextRun ? clock(schedule.nextRun, schedule.timeZone) : (schedule.nextRunNote ?? ''),
          schedule.selector,
        ]),
        100,
      ),
      '',
      where(ctx),
    ].join('\n'),
    {
      followups: list.slice(0, 2).map((schedule) => ({
        label: `Remove ${schedule.name}`,
        prompt: `remove schedule ${schedule.name}`,
        command: 'cost',
      })),
    },
  );
}

async function removeSchedule(ctx: CostAnswerContext, name: string) {
  const result = await proposal(ctx, `Delete schedule ${name}`, 'scheduler.instanceSchedules.delete', { name });
  return answer(result.markdown, { actions: result.actions });
}

const VERDICT_LABELS: Record<string, string> = {
  downsize: 'downsize',
  upsize: 'upsize',
  change: 'change type',
  keep: 'keep',
  'not-enough-data': 'not enough data',
};

async function rightsizing(ctx: CostAnswerContext): Promise<CostAnswer> {
  const report = await rightsizingReport(ctx.read, ctx.region, await priceBookFrom(ctx.priceCache, ctx.region));
  const t = RIGHTSIZING_THRESHOLDS;
  const downsize = report.findings.filter((finding) => finding.verdict === 'downsize');
  const fromOptimizer = report.findings.filter((finding) => finding.source === OPTIMIZER_SOURCE).length;
  const lines = [
    `**Right-sizing** of ${plural(report.findings.length, 'instance')} in ${inlineCode(ctx.region)}: Compute Optimizer where it has a recommendation, otherwise ${t.days} days of CloudWatch CPU and network.`,
    `Own rule (CloudWatch estimate): one size down when CPU max < ${t.cpuMaxPercent}% and average < ${t.cpuAveragePercent}% with ≥ ${t.minDays} days of data and network under ${t.networkBytesPerDay / 1024 ** 3} GiB/day.`,
    '',
  ];
  if (report.findings.length)
    lines.push(
      table(
        ['Instance', 'Type', 'Verdict', 'Suggested', 'Saving/month', 'Source', 'Why'],
        report.findings.map((finding) => [
          finding.name ? `${finding.name} (${finding.instanceId})` : finding.instanceId,
          finding.instanceType,
          VERDICT_LABELS[finding.verdict] ?? finding.verdict,
          finding.suggestedType ?? '',
          finding.monthlySaving === undefined
            ? finding.verdict === 'downsize' && finding.source !== OPTIMIZER_SOURCE
              ? 'type not in price table'
              : ''
            : money(finding.monthlySaving),
          finding.source,
          finding.ownEstimate
            ? `${finding.reason}. CloudWatch estimate: ${VERDICT_LABELS[finding.ownEstimate.verdict]}${finding.ownEstimate.suggestedType ? ` → ${finding.ownEstimate.suggestedType}` : ''}`
            : finding.reason,
        ]),
        160,
      ),
    );
  else lines.push('_No running instances, and no Compute Optimizer recommendations._');
  const total = downsize.reduce((sum, finding) => sum + (finding.monthlySaving ?? 0), 0);
  if (downsize.length)
    lines.push(
      '',
      `Saving if all ${plural(downsize.length, 'downsize suggestion')} are applied: **${money(total)}/month** (Compute Optimizer's figures where it is the source, Pilot Light's estimate otherwise).`,
    );
  lines.push(
    '',
    report.computeOptimizer.available
      ? `Compute Optimizer: ${plural(report.computeOptimizer.value.length, 'recommendation')}, ${fromOptimizer} merged above (one row per instance).`
      : `Compute Optimizer: ${report.computeOptimizer.reason}; the findings above are Pilot Light's own estimate.`,
    `_${report.priceNote}_`,
    report.truncated ? '_Only the first 1,000 running instances were checked._' : '',
    where(ctx),
  );
  return answer(lines.join('\n'), { followups: FOLLOWUPS.filter((followup) => followup.prompt !== 'right-sizing') });
}

function purchaseLine(name: string, figure: SavingsReport['savingsPlans']): string {
  if (!figure.available) return `- ${name}: ${figure.reason}`;
  const value = figure.value;
  const options = `${describeTerm(value.term)}, ${describePayment(value.paymentOption)}`;
  if (!value.recommended) return `- ${name} (${value.source}): no recommendation for ${options}.`;
  const parts = [
    `about **${money(value.monthlySavings, value.currency)}/month**${value.savingsPercent !== undefined ? ` (${value.savingsPercent}%)` : ''}`,
    ...(value.hourlyCommitment !== undefined ? [`commit ${hourlyMoney(value.hourlyCommitment, value.currency)}`] : []),
    options,
    ...(value.upfrontCost !== undefined ? [`${money(value.upfrontCost, value.currency)} upfront`] : []),
    ...(value.currentOnDemandSpend !== undefined
      ? [`covers ${money(value.currentOnDemandSpend, value.currency)} of on-demand spend in ${value.lookbackDays} days`]
      : []),
  ];
  return `- ${name} (${value.source}): ${parts.join(', ')}${value.details.map((detail) => `\n  - ${escapeMarkdown(detail, 200)}`).join('')}${value.truncated ? '\n  - _more recommendations exist than are listed_' : ''}`;
}

async function savings(ctx: CostAnswerContext): Promise<CostAnswer> {
  const report = await savingsReport(
    ctx.read,
    ctx.region,
    ctx.now ?? new Date(),
    await priceBookFrom(ctx.priceCache, ctx.region),
  );
  const estimate = report.estimate;
  return answer(
    [
      '**Savings for steady usage**',
      '',
      report.statement,
      '',
      purchaseLine(
        report.savingsPlans.available
          ? describeSavingsPlansType(report.savingsPlans.value.savingsPlansType)
          : 'Compute Savings Plan, 1 year, no upfront',
        report.savingsPlans,
      ),
      purchaseLine('EC2 Reserved Instances', report.reservedInstances),
      ...(estimate
        ? [
            `- **Estimate** (Pilot Light, not an AWS recommendation): ${plural(estimate.steadyInstances, 'steady instance')} cost about ${money(estimate.onDemandMonthly)}/month on demand; a Savings Plan could save about **${money(estimate.monthlySaving)}/month**.${estimate.unpriced.length ? ` Types not in the price table (not counted): ${estimate.unpriced.join(', ')}.` : ''}`,
            '',
            `_${estimate.note}_`,
          ]
        : ['', '_Figures from Cost Explorer; buying a Savings Plan or Reserved Instance is not done from here._']),
      where(ctx),
    ].join('\n'),
  );
}

const MAX_PRICE_ROWS = 40;
const hourly = (usd: number) => `$${usd.toFixed(4)}`;

/** `/cost prices [region]` shows a region's fetched prices; `/cost refresh prices [region]` reads them first. */
async function prices(ctx: CostAnswerContext, request: Extract<CostRequest, { kind: 'prices' }>): Promise<CostAnswer> {
  const region = request.region ?? ctx.region;
  const refresh = { label: `Refresh prices for ${region}`, prompt: `refresh prices ${region}`, command: 'cost' };
  const lines: string[] = [];
  if (request.refresh) {
    const result = await refreshRegionPrices(ctx.read, ctx.priceCache, region);
    lines.push(
      `**Price refresh** (AWS Price List Query API, called in us-east-1): ${escapeMarkdown(result.summary, 1500)}`,
      '',
    );
  }
  const fetched = ctx.priceCache ? await ctx.priceCache.region(region) : undefined;
  if (!fetched) {
    lines.push(
      `No prices fetched for ${inlineCode(region)}${ctx.priceCache ? '' : ' (no price cache here)'}: estimates use the ${new PriceBook(region).ec2Hourly('m5.large')?.source ?? 'bundled table'}.`,
    );
    return answer(`${lines.join('\n')}\n\n${where(ctx)}`, { followups: request.refresh ? [] : [refresh] });
  }
  const types = Object.entries(fetched.ec2Hourly).sort(([a], [b]) => a.localeCompare(b));
  const dates = [...new Set(types.map(([, price]) => price.fetchedAt.slice(0, 10)))].sort();
  lines.push(
    `**Prices for ${inlineCode(region)}** from the ${escapeMarkdown(fetched.source, 100)}, fetched ${dates.length > 1 ? `${dates[0]} to ${dates.at(-1)}` : fetched.fetchedAt.slice(0, 10)}${fetched.publicationDate ? ` (AWS publication ${fetched.publicationDate.slice(0, 10)})` : ''}: on-demand Linux, shared tenancy, USD.`,
    '',
  );
  if (types.length)
    lines.push(
      table(
        ['Instance type', 'Per hour', 'Per month (730 h)'],
        types.slice(0, MAX_PRICE_ROWS).map(([type, price]) => [type, hourly(price.usd), money(price.usd * 730)]),
      ),
      types.length > MAX_PRICE_ROWS
        ? `\n_${types.length - MAX_PRICE_ROWS} more instance types are cached and used in estimates._`
        : '',
    );
  const volumes = Object.entries(fetched.ebsPerGbMonth).sort(([a], [b]) => a.localeCompare(b));
  if (volumes.length)
    lines.push(
      '',
      table(
        ['EBS volume type', 'Per GB-month'],
        volumes.map(([type, price]) => [type, hourly(price.usd)]),
      ),
    );
  lines.push(
    '',
    '_Right-sizing, savings and /unused estimates in this region use these prices and name them; anything not listed comes from the bundled table, labelled._',
  );
  return answer(`${lines.join('\n')}\n\n${where(ctx)}`, { followups: request.refresh ? [] : [refresh] });
}

export async function answerCost(ctx: CostAnswerContext, request: CostRequest | undefined): Promise<CostAnswer> {
  if (!request) return answer(COST_HELP, { followups: FOLLOWUPS });
  switch (request.kind) {
    case 'overview':
      return overview(ctx);
    case 'grouped':
      return grouped(ctx, request);
    case 'budgets':
      return budgets(ctx);
    case 'create-budget':
      return createBudget(ctx, request);
    case 'rightsizing':
      return rightsizing(ctx);
    case 'savings':
      return savings(ctx);
    case 'schedules':
      return schedules(ctx);
    case 'schedule-instances':
      return scheduleInstances(ctx, request);
    case 'remove-schedule':
      return removeSchedule(ctx, request.name);
    case 'prices':
      return prices(ctx, request);
  }
}
