// The Cost view and `/cost` in the real VS Code host: this month, last month and the top services from Cost
// Explorer results seeded through moto's API (through the emulator gateway), the forecast shown as unavailable
// (moto has no GetCostForecast), the chart webview drawing its bars, and `/cost` answered without a model.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { spendPeriods } from '../../src/core/cost/spend';
import { groupedResult, seedCostResults } from '../support/costSeed';
import { askAws, endpoint, plain, testing, waitFor } from './support/safety';

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
});
