// Instance schedules in the real VS Code host: a schedule that follows a tag (Scheduler → SSM Automation, stored in
// moto through the emulator gateway) shows in the Cost view with its action, tag and next run, and `/cost schedules`
// lists its selector, answered without a model.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { automationInput, START_AUTOMATION_TARGET } from '../../src/core/cost/scheduleTargets';
import { askAws, endpoint, plain, testing } from './support/safety';

const NAME = 'pl-host-stop-dev';

describe('Cost view: schedules that follow a tag', function () {
  this.timeout(120_000);
  let scheduler: SchedulerClient | undefined;

  before(async () => {
    const { api, testing: hooks } = await testing();
    const account = (await (await api.ctx.connection()).identity()).account;
    const feature = await hooks.cost();
    assert.ok(feature, 'the Cost view is registered');
    await vscode.commands.executeCommand('pilotLight.cost.focus');
    await vscode.commands.executeCommand('pilotLight.cost.refresh');
    const rows = await feature.provider.snapshot(1);
    const region = rows.find((row) => row.path === `Account ${account}`)?.description;
    assert.ok(region, JSON.stringify(rows));
    scheduler = new SchedulerClient({
      endpoint: endpoint(),
      region,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await scheduler.send(
      new CreateScheduleCommand({
        Name: NAME,
        ScheduleExpression: 'cron(0 18 ? * MON-FRI *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: START_AUTOMATION_TARGET,
          RoleArn: `arn:aws:iam::${account}:role/PilotLightInstanceScheduler`,
          Input: JSON.stringify(
            automationInput(
              'stop',
              'Environment',
              'dev',
              `arn:aws:iam::${account}:role/PilotLightInstanceSchedulerAutomation`,
            ),
          ),
        },
      }),
    );
  });

  after(async () => {
    await scheduler?.send(new DeleteScheduleCommand({ Name: NAME })).catch(() => undefined);
    scheduler?.destroy();
  });

  it('shows the schedule with its action, tag and next run in the Cost view', async () => {
    const { testing: hooks } = await testing();
    const feature = (await hooks.cost())!;
    await vscode.commands.executeCommand('pilotLight.cost.refresh');
    const rows = await feature.provider.snapshot(2);
    const row = rows.find((entry) => entry.path === `Schedules/${NAME}`);
    assert.ok(row, JSON.stringify(rows.filter((entry) => entry.path.startsWith('Schedules'))));
    // 18:00 in Berlin is 16:00 or 17:00 UTC.
    assert.match(row.description ?? '', /^stop Environment=dev · next \d{4}-\d\d-\d\d 1[67]:00 UTC$/);
  });

  it('lists the selector in /cost schedules, without a model', async () => {
    const answer = await askAws('@aws /cost schedules');
    assert.equal(answer.usedModel, false);
    const text = plain(answer.markdown);
    assert.match(
      text,
      new RegExp(`\\| default/${NAME} \\| stop \\| cron\\(0 18 \\? \\* MON-FRI \\*\\) \\(Europe/Berlin\\) \\|`),
    );
    assert.match(text, /instances tagged Environment=dev, resolved when it runs/);
  });
});
