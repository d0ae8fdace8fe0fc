/**
 * AWS's own cost recommendations through the real SDK and the OperationRunner: Cost Explorer's Savings Plans and
 * Reserved Instance purchase recommendations and Compute Optimizer's EC2 findings, answered by the emulator in the
 * gateway (tools/emulators/costRecommendations, seeded, not computed), shown in the savings statement and merged
 * into right-sizing; AWS-like validation of the three APIs; and, against bare moto (which lacks all three), the
 * "not available from this endpoint" path with Pilot Light's labelled estimate.
 */
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { ComputeOptimizerClient, GetEC2InstanceRecommendationsCommand } from '@aws-sdk/client-compute-optimizer';
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  GetReservationPurchaseRecommendationCommand,
  GetSavingsPlansPurchaseRecommendationCommand,
} from '@aws-sdk/client-cost-explorer';
import { EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { AwsConnection } from '../../src/core/aws/connection';
import { answerCost } from '../../src/core/cost/chat';
import { rightsizingReport, savingsReport } from '../../src/core/cost/rightsizing';
import type { OptimizerRecommendation, PurchaseRecommendation } from '../../src/core/cost/savingsRecommendations';
import { createRuntime, type Runtime } from '../../src/core/runtime';
import { seedCostRecommendations } from '../../tools/emulators/costRecommendations/costRecommendations';
import { instanceRecommendation, savingsPlansSeed, reservationSeed } from '../../tools/seed/costRecommendations';
import { pickAmazonLinuxImage } from '../../tools/seed/target';
import { emulatorConnection } from '../support/connection';
import { clientConfig, emulatorStack, useEmulatorStack } from '../support/emulators';
import { approvingProvider, tempDir } from '../support/operationHarness';

useEmulatorStack();

describe('cost recommendations (Cost Explorer, Compute Optimizer) against the emulators', function () {
  this.timeout(120_000);
  let connection: AwsConnection;
  let account: string;
  let dir: ReturnType<typeof tempDir>;
  let ec2: EC2Client;

  before(async () => {
    connection = await emulatorConnection();
    account = (await connection.identity()).account;
    ec2 = new EC2Client(clientConfig());
  });
  after(() => {
    ec2.destroy();
    connection.dispose();
  });
  beforeEach(async () => {
    dir = tempDir('pilot-light-recommendations-it-');
    await emulatorStack().reset();
  });
  afterEach(() => dir.cleanup());

  function runtimeWith(over: AwsConnection = connection): Runtime {
    return createRuntime({
      policyFiles: [],
      auditPath: join(dir.path, 'audit.jsonl'),
      approvalProvider: approvingProvider(),
      connection: async () => over,
    });
  }

  async function readsOf(runtime: Runtime) {
    const runner = await runtime.runner();
    return async (operationId: string, input: Record<string, unknown>) => {
      const outcome = await runner.run(operationId, input, { caller: 'chat', mode: 'execute' });
      if (outcome.status !== 'succeeded')
        throw new Error(
          `${outcome.error?.code ?? outcome.status}: ${outcome.error?.message ?? outcome.refusal?.message ?? ''}`,
        );
      return outcome.output;
    };
  }

  async function launch(instanceType: string, name: string): Promise<string> {
    const result = await ec2.send(
      new RunInstancesCommand({
        ImageId: await pickAmazonLinuxImage(ec2),
        InstanceType: instanceType as never,
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }] }],
      }),
    );
    return result.Instances![0]!.InstanceId!;
  }

  const arnOf = (instanceId: string) => `arn:aws:ec2:${emulatorStack().region}:${account}:instance/${instanceId}`;

  it('states the Savings Plans recommendation with its figures, term, payment option and lookback; other options get none', async () => {
    await seedCostRecommendations(emulatorStack().endpoint, {
      savingsPlans: [
        savingsPlansSeed({ monthlySavings: 182.4, percent: 31.5, hourlyCommitment: 0.85, onDemandSpend: 1740.2 }),
      ],
    });
    const runtime = runtimeWith();
    const read = await readsOf(runtime);
    const report = await savingsReport(read, emulatorStack().region, new Date());
    assert.ok(report.savingsPlans.available, JSON.stringify(report.savingsPlans));
    const plan = report.savingsPlans.value;
    assert.deepEqual(
      [plan.recommended, plan.monthlySavings, plan.savingsPercent, plan.hourlyCommitment, plan.currentOnDemandSpend],
      [true, 182.4, 31.5, 0.85, 1740.2],
    );
    assert.deepEqual([plan.term, plan.paymentOption, plan.lookbackDays], ['ONE_YEAR', 'NO_UPFRONT', 30]);
    assert.equal(plan.source, 'Cost Explorer recommendation, lookback 30 days');
    assert.equal(report.statementSource, 'cost-explorer');
    assert.equal(report.estimate, undefined, 'no own estimate when Cost Explorer answers');
    assert.equal(
      report.statement,
      'Compute Savings Plan for a commitment of $0.85/hour (1 year, no upfront): about $182.40/month saved (31.5%). Source: Cost Explorer recommendation, lookback 30 days.',
    );

    const threeYears = (await read('ce.savingsPlansRecommendation.get', {
      term: 'THREE_YEARS',
      paymentOption: 'ALL_UPFRONT',
      lookbackDays: 60,
    })) as PurchaseRecommendation;
    assert.deepEqual(
      [threeYears.recommended, threeYears.monthlySavings, threeYears.source],
      [false, 0, 'Cost Explorer recommendation, lookback 60 days'],
    );

    const chat = await answerCost(
      {
        read,
        dryRun: async () => ({ status: 'failed', text: 'not used' }),
        region: emulatorStack().region,
        account,
      },
      { kind: 'savings' },
    );
    assert.match(chat.markdown, /Compute Savings Plan for a commitment of \$0\.85\/hour \(1 year, no upfront\)/);
    assert.match(
      chat.markdown,
      /Compute Savings Plan \(Cost Explorer recommendation, lookback 30 days\): about \*\*\$182\.40\/month\*\* \(31\.5%\), commit \$0\.85\/hour/,
    );
    assert.doesNotMatch(chat.markdown, /\*\*Estimate\*\*/);
  });

  it('reads the Reserved Instance recommendation with one line per instance type', async () => {
    await seedCostRecommendations(emulatorStack().endpoint, {
      reservations: [
        reservationSeed({
          monthlySavings: 96.3,
          percent: 24,
          details: [
            { instanceType: 'm5.large', region: 'us-east-1', count: 2, monthlySavings: 61.1 },
            { instanceType: 't3.medium', region: 'us-east-1', count: 3, monthlySavings: 35.2 },
          ],
        }),
      ],
    });
    const read = await readsOf(runtimeWith());
    const report = await savingsReport(read, emulatorStack().region, new Date());
    assert.ok(report.reservedInstances.available, JSON.stringify(report.reservedInstances));
    const reservation = report.reservedInstances.value;
    assert.deepEqual(
      [reservation.recommended, reservation.monthlySavings, reservation.savingsPercent, reservation.service],
      [true, 96.3, 24, 'Amazon Elastic Compute Cloud - Compute'],
    );
    assert.deepEqual(reservation.details, [
      '2 × m5.large in us-east-1 (Linux/UNIX): about $61.10/month saved',
      '3 × t3.medium in us-east-1 (Linux/UNIX): about $35.20/month saved',
    ]);
    // No Savings Plans recommendation was seeded: Cost Explorer answered "none", which is not an estimate.
    assert.ok(report.savingsPlans.available);
    assert.equal(report.savingsPlans.value.recommended, false);
    assert.match(report.statement, /^Cost Explorer has no Compute Savings Plan recommendation \(1 year, no upfront\)/);
  });

  it('merges Compute Optimizer findings into right-sizing, one row per instance, naming the source of each', async () => {
    const large = await launch('m5.2xlarge', 'reports');
    const busy = await launch('t3.small', 'queue');
    const quiet = await launch('t3.medium', 'no-data');
    const stopped = await launch('c5.xlarge', 'batch');
    await ec2.send(new StopInstancesCommand({ InstanceIds: [stopped] }));
    await seedCostRecommendations(emulatorStack().endpoint, {
      computeOptimizer: [
        {
          region: emulatorStack().region,
          optedIn: true,
          instanceRecommendations: [
            instanceRecommendation({
              instanceArn: arnOf(large),
              name: 'reports',
              currentType: 'm5.2xlarge',
              finding: 'Overprovisioned',
              reasons: ['CPUOverprovisioned', 'MemoryOverprovisioned'],
              options: [
                { instanceType: 'm5.xlarge', rank: 1, performanceRisk: 1, monthlySavings: 140.16 },
                { instanceType: 'r5.large', rank: 2, performanceRisk: 2, monthlySavings: 120 },
              ],
            }),
            instanceRecommendation({
              instanceArn: arnOf(busy),
              name: 'queue',
              currentType: 't3.small',
              finding: 'Underprovisioned',
              reasons: ['CPUUnderprovisioned'],
              options: [{ instanceType: 't3.medium', rank: 1, performanceRisk: 0.5, monthlySavings: -15.18 }],
            }),
            instanceRecommendation({
              instanceArn: arnOf(stopped),
              name: 'batch',
              currentType: 'c5.xlarge',
              finding: 'Overprovisioned',
              reasons: ['CPUOverprovisioned'],
              options: [{ instanceType: 'c5.large', rank: 1, performanceRisk: 3.2, monthlySavings: 62.05 }],
            }),
          ],
        },
      ],
    });
    const read = await readsOf(runtimeWith());

    // Paging: three recommendations, one per page, all read.
    const paged = (await read('computeoptimizer.ec2Recommendations.get', { pageSize: 1 })) as OptimizerRecommendation[];
    assert.deepEqual(paged.map((entry) => entry.instanceId).sort(), [large, busy, stopped].sort());

    const report = await rightsizingReport(read, emulatorStack().region);
    assert.ok(report.computeOptimizer.available);
    const ids = report.findings.map((finding) => finding.instanceId);
    assert.equal(new Set(ids).size, ids.length, 'no instance twice');
    assert.deepEqual(ids.slice().sort(), [large, busy, quiet, stopped].sort());
    const row = (id: string) => report.findings.find((finding) => finding.instanceId === id)!;
    assert.deepEqual(
      [
        row(large).verdict,
        row(large).suggestedType,
        row(large).monthlySaving,
        row(large).source,
        row(large).performanceRisk,
      ],
      ['downsize', 'm5.xlarge', 140.16, 'Compute Optimizer', 1],
    );
    assert.equal(
      row(large).reason,
      'Compute Optimizer: Overprovisioned (CPUOverprovisioned, MemoryOverprovisioned) over 14 days; performance risk low (1 of 4)',
    );
    assert.equal(row(large).name, 'reports');
    assert.equal(row(large).ownEstimate?.verdict, 'not-enough-data', 'our CloudWatch verdict is kept for comparison');
    assert.deepEqual(
      [row(busy).verdict, row(busy).suggestedType, row(busy).monthlySaving],
      ['upsize', 't3.medium', undefined],
      'a larger type saves nothing',
    );
    assert.deepEqual([row(quiet).verdict, row(quiet).source], ['not-enough-data', 'CloudWatch estimate (Pilot Light)']);
    assert.deepEqual(
      [row(stopped).verdict, row(stopped).instanceType, row(stopped).source, row(stopped).name],
      ['downsize', 'c5.xlarge', 'Compute Optimizer', 'batch'],
    );

    const chat = await answerCost(
      { read, dryRun: async () => ({ status: 'failed', text: 'not used' }), region: emulatorStack().region, account },
      { kind: 'rightsizing' },
    );
    assert.match(
      chat.markdown,
      new RegExp(
        `\\| reports \\\\\\(${large}\\\\\\) \\| m5\\.2xlarge \\| downsize \\| m5\\.xlarge \\| \\$140\\.16 \\| Compute Optimizer \\|`,
      ),
    );
    assert.match(chat.markdown, /Compute Optimizer: 3 recommendations, 3 merged above \(one row per instance\)\./);
    assert.match(chat.markdown, /\*\*\$202\.21\/month\*\*/);
  });

  it('reports Compute Optimizer as not opted in until the account opts in', async () => {
    const read = await readsOf(runtimeWith());
    const report = await rightsizingReport(read, emulatorStack().region);
    assert.deepEqual(report.computeOptimizer, {
      available: false,
      reason: 'the account is not opted in to Compute Optimizer',
    });
  });

  it('validates inputs like AWS: required members, enum values, services, page sizes and tokens', async () => {
    const ce = new CostExplorerClient(clientConfig({ maxAttempts: 1 }));
    const optimizer = new ComputeOptimizerClient(clientConfig({ maxAttempts: 1 }));
    const rejects = async (send: () => Promise<unknown>, name: string, message: RegExp) =>
      assert.rejects(send, (error: Error) => {
        assert.equal(error.name, name);
        assert.match(error.message, message);
        return true;
      });
    try {
      await rejects(
        () =>
          ce.send(
            new GetSavingsPlansPurchaseRecommendationCommand({
              SavingsPlansType: 'COMPUTE_SP',
              TermInYears: 'ONE_YEAR',
              PaymentOption: 'NO_UPFRONT',
            } as never),
          ),
        'ValidationException',
        /Value null at 'lookbackPeriodInDays' failed to satisfy constraint: Member must not be null/,
      );
      await rejects(
        () =>
          ce.send(
            new GetSavingsPlansPurchaseRecommendationCommand({
              SavingsPlansType: 'COMPUTE_SP',
              TermInYears: 'TWO_YEARS' as never,
              PaymentOption: 'HEAVY_UTILIZATION',
              LookbackPeriodInDays: 'THIRTY_DAYS',
            }),
          ),
        'ValidationException',
        /Value 'TWO_YEARS' at 'termInYears' failed to satisfy constraint: Member must satisfy enum value set/,
      );
      await rejects(
        () =>
          ce.send(
            new GetSavingsPlansPurchaseRecommendationCommand({
              SavingsPlansType: 'COMPUTE_SP',
              TermInYears: 'ONE_YEAR',
              PaymentOption: 'NO_UPFRONT',
              LookbackPeriodInDays: 'THIRTY_DAYS',
              NextPageToken: 'not-a-token',
            }),
          ),
        'InvalidNextTokenException',
        /pagination token is invalid/,
      );
      await rejects(
        () => ce.send(new GetReservationPurchaseRecommendationCommand({ Service: 'Amazon Simple Storage Service' })),
        'ValidationException',
        /not available for service "Amazon Simple Storage Service"/,
      );
      await seedCostRecommendations(emulatorStack().endpoint, {
        computeOptimizer: [{ region: emulatorStack().region, optedIn: true, instanceRecommendations: [] }],
      });
      await rejects(
        () => optimizer.send(new GetEC2InstanceRecommendationsCommand({ maxResults: 5000 })),
        'InvalidParameterValueException',
        /maxResults must be an integer between 0 and 1000/,
      );
      await rejects(
        () => optimizer.send(new GetEC2InstanceRecommendationsCommand({ instanceArns: ['i-0123456789abcdef0'] })),
        'InvalidParameterValueException',
        /instance ARN "i-0123456789abcdef0" is not valid/,
      );
      const empty = await optimizer.send(new GetEC2InstanceRecommendationsCommand({}));
      assert.deepEqual(empty.instanceRecommendations, []);
      // Every other Cost Explorer operation still reaches moto (which answers GetCostAndUsage).
      const spend = await ce.send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: '2026-01-01', End: '2026-02-01' },
          Granularity: 'MONTHLY',
          Metrics: ['UnblendedCost'],
        }),
      );
      assert.ok(Array.isArray(spend.ResultsByTime));
    } finally {
      ce.destroy();
      optimizer.destroy();
    }
  });

  it('against bare moto (no such APIs) reports them not available and states the labelled estimate', async () => {
    const bare = await emulatorConnection({ endpointUrl: emulatorStack().motoEndpoint });
    try {
      await launch('m5.large', 'steady');
      const read = await readsOf(runtimeWith(bare));
      const later = new Date(Date.now() + 40 * 86_400_000);
      const savings = await savingsReport(read, emulatorStack().region, later);
      assert.deepEqual(savings.savingsPlans, { available: false, reason: 'not available from this endpoint' });
      assert.deepEqual(savings.reservedInstances, { available: false, reason: 'not available from this endpoint' });
      assert.equal(savings.statementSource, 'estimate');
      assert.equal(savings.estimate?.steadyInstances, 1);
      assert.match(
        savings.statement,
        /^Estimate: about \$\d+\.\d\d\/month with a 1-year, no-upfront Compute Savings Plan for 1 steady instance\(s\) .*Cost Explorer's recommendation is not available from this endpoint\.$/,
      );
      const rightsizing = await rightsizingReport(read, emulatorStack().region);
      assert.deepEqual(rightsizing.computeOptimizer, { available: false, reason: 'not available from this endpoint' });
      assert.ok(rightsizing.findings.every((finding) => finding.source === 'CloudWatch estimate (Pilot Light)'));
    } finally {
      bare.dispose();
    }
  });
});
