// The Cost view and `/cost` in the real VS Code host: this month, last month and the top services from Cost
// Explorer results seeded through moto's API (through the emulator gateway), the forecast shown as unavailable
// (moto has no GetCostForecast), the chart webview drawing its bars, and `/cost` answered without a model; then
// Savings Plans / RI and Compute Optimizer recommendations seeded in the recommendations emulator, shown in the
// view's Savings and Right-sizing rows and in `/cost savings`.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { spendPeriods } from '../../src/core/cost/spend';
import { seedCostRecommendations } from '../../tools/emulators/costRecommendations/costRecommendations';
import { demoRecommendations } from '../../tools/seed/costRecommendations';
import { groupedResult, seedCostResults } from '../support/costSeed';
import { askAws, ec2, endpoint, plain, SAMPLE_REGION, testing, waitFor } from './support/safety';

describe('Cost view and /cost', function () {
  this.timeout(120_000);

  before(async () => {
    const { api } = await testing();
    const account = (await (await api.ctx.connection()).identity()).account;
    const periods = spendPeriods(new Date());
    await seedCostResults(endpoint(), account, [
      groupedResult(periods.thisMonth.start, periods.thisMonth.end, [
        { key: 'Amazon Elastic Compute Cloud - Compute', amount: 612.4 },
        { key: 'Amazon Relational Database Service', amount: 288.1 },
        { key: 'Amazon Simple Storage Service', amount: 31.5 },
      ]),
      groupedResult(periods.lastMonth.start, periods.lastMonth.end, [
        { key: 'Amazon Elastic Compute Cloud - Compute', amount: 1400 },
        { key: 'Amazon Relational Database Service', amount: 420.25 },
      ]),
    ]);
  });

  it('shows this month, last month, the forecast as unavailable, and the top services', async () => {
    const { testing: hooks } = await testing();
    const feature = await hooks.cost();
    assert.ok(feature, 'the Cost view is registered');
    await vscode.commands.executeCommand('pilotLight.cost.focus');
    await vscode.commands.executeCommand('pilotLight.cost.refresh');
    const rows = await feature.provider.snapshot(2);
    const row = (path: string) => rows.find((entry) => entry.path === path);
    assert.equal(row('This month')?.description, '$932.00', JSON.stringify(rows));
    assert.equal(row('Last month')?.description, '$1,820');
    assert.equal(row('Forecast')?.description, 'forecast: not available from this endpoint');
    assert.deepEqual(
      rows.filter((entry) => entry.path.startsWith('Top services/')).map((entry) => [entry.label, entry.description]),
      [
        ['Amazon Elastic Compute Cloud - Compute', '$612.40'],
        ['Amazon Relational Database Service', '$288.10'],
        ['Amazon Simple Storage Service', '$31.50'],
      ],
    );
  });

  it('draws the chart in a webview: two months and three services', async () => {
    const { testing: hooks } = await testing();
    const feature = (await hooks.cost())!;
    await vscode.commands.executeCommand('pilotLight.cost.showChart');
    const chart = await waitFor('the chart rendered', async () => {
      const open = await feature.chart();
      return open?.renderedBars ? open : undefined;
    });
    assert.equal(chart?.renderedBars, 5);
    const data = chart?.host.sent.find((message) => message.type === 'data');
    assert.ok(data && data.type === 'data');
    assert.deepEqual(
      data.data.months.map((bar) => bar.label),
      ['Last month', 'This month (to date)'],
    );
    assert.ok(data.data.notes.includes('forecast: not available from this endpoint'));
    chart?.dispose();
  });

  it('answers /cost without a model, as a Markdown table', async () => {
    const answer = await askAws('@aws /cost');
    assert.equal(answer.usedModel, false);
    const text = plain(answer.markdown);
    assert.match(text, /\| This month \(to date\) \| .* \| \$932\.00 \|/);
    assert.match(text, /\| Last month \| .* \| \$1,820 \|/);
    assert.match(text, /forecast: not available from this endpoint/);
    assert.match(text, /\| Amazon Relational Database Service \| \$288\.10 \| 31% \|/);
  });

  it('shows the seeded Savings Plan, RI and Compute Optimizer recommendations in the view and in /cost savings', async () => {
    const { api, testing: hooks } = await testing();
    const account = (await (await api.ctx.connection()).identity()).account;
    const client = ec2(SAMPLE_REGION);
    const instance = async (name: string) => {
      const { Reservations } = await client.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: 'tag:Name', Values: [name] },
            { Name: 'instance-state-name', Values: ['running'] },
          ],
        }),
      );
      const found = Reservations?.flatMap((reservation) => reservation.Instances ?? [])[0];
      assert.ok(found?.InstanceId, `${name} runs in the sample account`);
      return {
        arn: `arn:aws:ec2:${SAMPLE_REGION}:${account}:instance/${found.InstanceId}`,
        name,
        type: found.InstanceType!,
      };
    };
    try {
      const app = await instance('app-1');
      await seedCostRecommendations(
        endpoint(),
        demoRecommendations(
          SAMPLE_REGION,
          { ...app, suggestedType: 't3.small', saving: 15.18 },
          await instance('db-1'),
        ),
      );
    } finally {
      client.destroy();
    }
    const feature = (await hooks.cost())!;
    await vscode.commands.executeCommand('pilotLight.cost.refresh');
    const rows = await feature.provider.snapshot(2);
    const row = (path: string) => rows.find((entry) => entry.path === path);
    assert.equal(
      row('Savings Plans / RIs/Savings Plan recommendation')?.description,
      '~$212.35/month · commit $0.78/hour · 1 year, no upfront',
      JSON.stringify(rows),
    );
    assert.equal(
      row('Savings Plans / RIs/Reserved Instance recommendation')?.description,
      '~$143.10/month · 1 year, no upfront',
    );
    assert.equal(row('Savings Plans / RIs/Estimate'), undefined, 'no own estimate when Cost Explorer answers');
    assert.equal(
      row('Right-sizing/app-1: t3.medium → t3.small')?.description,
      'save ~$15.18/month (Compute Optimizer)',
    );
    assert.equal(row('Right-sizing/Compute Optimizer')?.description, '2 recommendation(s), merged above');

    const answer = await askAws('@aws /cost savings');
    assert.equal(answer.usedModel, false);
    const text = plain(answer.markdown);
    assert.match(
      text,
      /Compute Savings Plan for a commitment of \$0\.78\/hour \(1 year, no upfront\): about \$212\.35\/month saved \(27\.4%\)\. Source: Cost Explorer recommendation, lookback 30 days\./,
    );
    assert.match(
      text,
      /EC2 Reserved Instances \(Cost Explorer recommendation, lookback 30 days\): about \*\*\$143\.10\/month\*\* \(21\.8%\)/,
    );
  });
});
