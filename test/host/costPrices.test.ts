// Regional prices in the real VS Code host: "Pilot Light: Refresh Prices for Region…" reads eu-west-1 from the
// Price List emulator (test price data) through the runner into the window's price cache, and `/cost prices`
// then shows them with their source and fetch date.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PriceRefreshResult } from '../../src/core/cost/priceRefresh';
import { askAws, plain } from './support/safety';

describe('Refresh Prices for Region and /cost prices', function () {
  this.timeout(120_000);

  it('refreshes eu-west-1 from the Price List and shows the prices with their source and date', async () => {
    const result = (await vscode.commands.executeCommand('pilotLight.cost.refreshPrices', 'eu-west-1')) as
      PriceRefreshResult | undefined;
    assert.ok(result?.stored, `the command stored prices: ${result?.summary}`);
    assert.equal(result.stored.ec2Hourly['m5.large']?.usd, 0.107);
    const day = result.sheet.fetchedAt.slice(0, 10);
    const answer = await askAws('@aws /cost prices eu-west-1');
    assert.equal(answer.usedModel, false);
    const text = plain(answer.markdown);
    assert.match(text, new RegExp(`Prices for \`eu-west-1\`\\*\\* from the AWS Price List Query API, fetched ${day}`));
    assert.match(text, /\| m5\.large \| \$0\.1070 \| \$78\.11 \|/);
  });
});
