/** What the Cost view shows, read through the registry (caller "explorer") on first use. */
import type { CostChartData } from '../../protocol/costChart';
import type { InstanceScheduleSummary } from '../../core/operations/costSchedules';
import type { BudgetSummary } from '../../core/operations/costOperations';
import type { SpendSummary } from '../../core/cost/spend';
import type { OperationService } from '../shared/operationService';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { readVia } from '../shared/serviceReads';
import type { CostViewSource, RowSpec } from './costView';

export async function createCostSource(ctx: PilotLightContext, service: OperationService): Promise<CostViewSource> {
  const [spend, rightsizing, savings] = await Promise.all([
    import('../../core/cost/spend'),
    import('../../core/cost/rightsizing'),
    import('../../core/cost/savingsRecommendations'),
  ]);
  const region = await service.currentRegion();
  const connection = await ctx.connection();
  const account = await connection.identity().then(
    (identity) => identity.account,
    () => 'unknown',
  );
  const read = readVia(service, 'explorer', region);
  let chart: CostChartData | undefined;

  const figure = (
    label: string,
    value: SpendSummary['thisMonth'] | SpendSummary['lastMonth'] | SpendSummary['forecast'],
    icon: string,
    id: string,
  ): RowSpec =>
    value.available
      ? {
          id,
          label,
          description: spend.money(value.value.total, value.value.unit),
          tooltip: `${value.value.period.start} – ${value.value.period.end} (end exclusive), account ${account}`,
          icon,
        }
      : { id, label, description: `${id === 'forecast' ? 'forecast: ' : ''}${value.reason}`, icon: 'circle-slash' };

  return {
    chartData: () => chart,
    async roots() {
      const summary = await spend.readSpendSummary(read, new Date());
      const services = summary.thisMonth.available ? spend.topGroups(summary.thisMonth.value.services, 8) : [];
      const unit = summary.thisMonth.available ? summary.thisMonth.value.unit : 'USD';
      chart = {
        account,
        region,
        unit,
        months: [
          ...(summary.lastMonth.available ? [{ label: 'Last month', amount: summary.lastMonth.value.total }] : []),
          ...(summary.thisMonth.available
            ? [{ label: 'This month (to date)', amount: summary.thisMonth.value.total }]
            : []),
          ...(summary.forecast.available
            ? [{ label: 'Forecast (rest of month)', amount: summary.forecast.value.total }]
            : []),
        ],
        services: services.map((group) => ({ label: group.key || '(none)', amount: group.amount })),
        notes: [
          ...(summary.thisMonth.available ? [] : [`This month: ${summary.thisMonth.reason}`]),
          ...(summary.lastMonth.available ? [] : [`Last month: ${summary.lastMonth.reason}`]),
          ...(summary.forecast.available ? [] : [`forecast: ${summary.forecast.reason}`]),
          'Unblended cost from Cost Explorer.',
        ],
        readAt: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      };
      return [
        { id: 'context', label: `Account ${account}`, description: region, icon: 'account' },
        figure('This month', summary.thisMonth, 'calendar', 'this-month'),
        figure('Last month', summary.lastMonth, 'history', 'last-month'),
        figure('Forecast', summary.forecast, 'graph-line', 'forecast'),
        {
          id: 'services',
          label: 'Top services',
          description: summary.thisMonth.available ? 'this month' : summary.thisMonth.reason,
          icon: 'list-ordered',
          expanded: true,
          children: async () =>
            services.map((group, index) => ({
              id: `service-${index}`,
              label: group.key || '(none)',
              description: spend.money(group.amount, group.unit),
              icon: 'symbol-method',
            })),
        },
        {
          id: 'budgets',
          label: 'Budgets',
          icon: 'pie-chart',
          contextValue: 'costBudgets',
          children: async () => {
            const budgets = (await read('budgets.budgets.list', {})) as BudgetSummary[];
            if (!budgets.length)
              return [{ id: 'none', label: 'No budgets', description: 'use + to create one with an alert' }];
            return budgets.map((budget, index) => ({
              id: `budget-${index}`,
              label: budget.name,
              description: `${spend.money(budget.actual, budget.unit)} of ${spend.money(budget.limit, budget.unit)}${budget.percentUsed !== undefined ? ` (${budget.percentUsed}%)` : ''}`,
              icon: budget.percentUsed !== undefined && budget.percentUsed >= 100 ? 'warning' : 'pass',
            }));
          },
        },
        {
          id: 'schedules',
          label: 'Schedules',
          icon: 'clock',
          children: async () => {
            const schedules = (await read('scheduler.instanceSchedules.list', {})) as InstanceScheduleSummary[];
            if (!schedules.length)
              return [{ id: 'none', label: 'No schedules', description: 'ask @aws "stop dev instances at 6 PM"' }];
            return schedules.map((schedule, index) => ({
              id: `schedule-${index}`,
              label: schedule.name,
              description: `${schedule.action}${schedule.tag ? ` ${schedule.tag.key}=${schedule.tag.value}` : ''} · next ${schedule.nextRun ? `${schedule.nextRun.slice(0, 16).replace('T', ' ')} UTC` : (schedule.nextRunNote ?? 'unknown')}`,
              tooltip: `${schedule.expression ?? ''} (${schedule.timeZone})\n${schedule.action} ${schedule.selector}`,
              icon: 'watch',
              contextValue: 'costSchedule',
              value: { name: schedule.name, group: schedule.group, region },
            }));
          },
        },
        {
          id: 'rightsizing',
          label: 'Right-sizing',
          description: `Compute Optimizer, else ${rightsizing.RIGHTSIZING_THRESHOLDS.days} days of CPU`,
          icon: 'arrow-down',
          children: async () => {
            const report = await rightsizing.rightsizingReport(read, region);
            const rows: RowSpec[] = report.findings
              .filter((finding) => ['downsize', 'upsize', 'change'].includes(finding.verdict))
              .map((finding, index) => {
                const bySource = finding.source === savings.OPTIMIZER_SOURCE ? 'Compute Optimizer' : 'estimate';
                return {
                  id: `finding-${index}`,
                  label: `${finding.name ?? finding.instanceId}: ${finding.instanceType} → ${finding.suggestedType ?? '?'}`,
                  description:
                    finding.monthlySaving !== undefined && finding.monthlySaving > 0
                      ? `save ~${spend.money(finding.monthlySaving)}/month (${bySource})`
                      : finding.verdict === 'upsize'
                        ? `under-provisioned (${bySource})`
                        : finding.source === savings.OPTIMIZER_SOURCE
                          ? `${finding.optimizerFinding ?? finding.verdict} (Compute Optimizer)`
                          : 'estimate: type not in price table',
                  tooltip: `${finding.source}: ${finding.reason}`,
                  icon: finding.verdict === 'upsize' ? 'arrow-up' : 'lightbulb',
                };
              });
            rows.push({
              id: 'optimizer',
              label: 'Compute Optimizer',
              description: report.computeOptimizer.available
                ? `${report.computeOptimizer.value.length} recommendation(s), merged above`
                : `${report.computeOptimizer.reason}; own estimate above`,
              icon: 'info',
            });
            if (rows.length === 1)
              rows.unshift({ id: 'none', label: `No instance to resize (${report.findings.length} checked)` });
            return rows;
          },
        },
        {
          id: 'savings',
          label: 'Savings Plans / RIs',
          icon: 'tag',
          children: async () => {
            const report = await rightsizing.savingsReport(read, region, new Date());
            const rec = (label: string, value: typeof report.savingsPlans): RowSpec => ({
              id: label,
              label,
              description: !value.available
                ? value.reason
                : value.value.recommended
                  ? [
                      `~${spend.money(value.value.monthlySavings, value.value.currency)}/month`,
                      ...(value.value.hourlyCommitment !== undefined
                        ? [`commit ${savings.hourlyMoney(value.value.hourlyCommitment, value.value.currency)}`]
                        : []),
                      `${savings.describeTerm(value.value.term)}, ${savings.describePayment(value.value.paymentOption)}`,
                    ].join(' · ')
                  : 'Cost Explorer: no recommendation',
              tooltip: value.available
                ? [savings.describePurchase(value.value), value.value.source, ...value.value.details].join('\n')
                : undefined,
              icon: value.available && value.value.recommended ? 'lightbulb' : undefined,
            });
            return [
              rec('Savings Plan recommendation', report.savingsPlans),
              rec('Reserved Instance recommendation', report.reservedInstances),
              ...(report.estimate
                ? [
                    {
                      id: 'estimate',
                      label: 'Estimate',
                      description: `~${spend.money(report.estimate.monthlySaving)}/month for ${report.estimate.steadyInstances} steady instance(s)`,
                      tooltip: report.estimate.note,
                    },
                  ]
                : []),
            ];
          },
        },
      ];
    },
  };
}
