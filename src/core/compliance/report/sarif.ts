import type { CheckResult, ComplianceFinding, ComplianceReport, ComplianceSeverity } from '../types';
import { groupByRule } from './summary';

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note';

/** SARIF has three levels: critical and high fail a CI gate (error), medium warns, the rest are notes. */
export function sarifLevel(severity: ComplianceSeverity): SarifLevel {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
}

/** Where a finding's resource is declared in an IaC template (a template linked to its stack). */
export interface TemplateLocation {
  /** Relative to the workspace folder (uriBaseId `%SRCROOT%`) or an absolute file URI. */
  uri: string;
  startLine: number;
  endLine?: number;
}

export interface SarifOptions {
  toolVersion?: string;
  /** The template lines declaring a finding's resource, when one is known. */
  locate?: (finding: ComplianceFinding) => TemplateLocation | undefined;
}

// The subset of SARIF 2.1.0 this writer produces.
interface SarifMessage {
  text: string;
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  defaultConfiguration?: { level: SarifLevel };
  properties: Record<string, unknown>;
}
interface SarifLocation {
  physicalLocation?: {
    artifactLocation: { uri: string; uriBaseId?: string };
    region: { startLine: number; endLine?: number };
  };
  logicalLocations: Array<{
    name: string;
    fullyQualifiedName: string;
    kind: string;
    properties: Record<string, unknown>;
  }>;
}
export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}
interface SarifNotification {
  level: 'error' | 'warning';
  message: SarifMessage;
  associatedRule: { id: string; index: number };
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{
    tool: { driver: { name: string; version?: string; rules: SarifRule[] } };
    invocations: Array<{
      executionSuccessful: boolean;
      endTimeUtc?: string;
      toolExecutionNotifications: SarifNotification[];
    }>;
    results: SarifResult[];
    properties: Record<string, unknown>;
  }>;
}

/** A logical name for the resource that a code-scanning page can show and match: its ARN, else account/region/type/id. */
export function resourceQualifiedName(finding: ComplianceFinding): string {
  return finding.resource.arn ?? `${finding.account}/${finding.region}/${finding.resource.type}/${finding.resource.id}`;
}

function fingerprint(text: string): string {
  // FNV-1a, 32 bit twice with different seeds: stable across runs, no crypto needed for matching.
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193) >>> 0;
    b = Math.imul(b ^ code, 0x5bd1e995) >>> 0;
  }
  return `${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`;
}

function isValidIsoDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(text) && !Number.isNaN(Date.parse(text));
}

function notificationFor(check: CheckResult, index: number): SarifNotification {
  return {
    level: check.status === 'error' ? 'error' : 'warning',
    message: {
      text: `${check.ruleTitle} (${check.ruleId}) ${check.status === 'error' ? 'failed' : 'did not run'}: ${check.reason ?? 'no reason given'}. Its resources were not evaluated.`,
    },
    associatedRule: { id: check.ruleId, index },
  };
}

/**
 * SARIF 2.1.0 for CI tools and code-scanning pages: one rule per check, one result per finding, each located
 * logically on the AWS resource (ARN or id, account, region) and physically in an IaC template when the finding
 * maps to one. A check that did not run makes the invocation unsuccessful and is named in a notification.
 */
export function complianceReportSarif(report: ComplianceReport, options: SarifOptions = {}): SarifLog {
  const groups = groupByRule(report);
  const ruleIndex = new Map(groups.map((group, index) => [group.ruleId, index]));
  const rules: SarifRule[] = groups.map((group) => ({
    id: group.ruleId,
    name: group.ruleId.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase()),
    shortDescription: { text: group.ruleTitle },
    ...(group.severity ? { defaultConfiguration: { level: sarifLevel(group.severity) } } : {}),
    properties: {
      source: group.source,
      ...(group.severity ? { severity: group.severity } : {}),
      status: group.checks.every((check) => check.status === 'ran')
        ? 'ran'
        : group.checks.some((check) => check.status === 'error')
          ? 'error'
          : 'notRun',
      resourcesEvaluated: group.checks.reduce((sum, check) => sum + check.resourcesEvaluated, 0),
    },
  }));
  const results: SarifResult[] = [];
  for (const check of report.checks)
    for (const finding of check.findings) {
      const qualifiedName = resourceQualifiedName(finding);
      const template = options.locate?.(finding);
      const isFileUri = template?.uri.startsWith('file:');
      results.push({
        ruleId: finding.ruleId,
        ruleIndex: ruleIndex.get(finding.ruleId) ?? ruleIndex.get(check.ruleId)!,
        level: sarifLevel(finding.severity),
        message: { text: finding.message || finding.ruleTitle },
        locations: [
          {
            ...(template
              ? {
                  physicalLocation: {
                    artifactLocation: { uri: template.uri, ...(isFileUri ? {} : { uriBaseId: '%SRCROOT%' }) },
                    region: {
                      startLine: Math.max(1, template.startLine),
                      ...(template.endLine && template.endLine >= template.startLine
                        ? { endLine: template.endLine }
                        : {}),
                    },
                  },
                }
              : {}),
            logicalLocations: [
              {
                name: finding.resource.id,
                fullyQualifiedName: qualifiedName,
                kind: 'resource',
                properties: {
                  resourceType: finding.resource.type,
                  account: finding.account,
                  region: finding.region,
                  ...(finding.resource.arn ? { arn: finding.resource.arn } : {}),
                  ...(finding.resource.name ? { resourceName: finding.resource.name } : {}),
                },
              },
            ],
          },
        ],
        partialFingerprints: { 'pilotLightResource/v1': fingerprint(`${finding.ruleId}\n${qualifiedName}`) },
        properties: {
          severity: finding.severity,
          source: finding.source,
          account: finding.account,
          region: finding.region,
          fix: finding.fix.description,
          ...(finding.fix.operationId ? { fixOperation: finding.fix.operationId } : {}),
        },
      });
    }
  const notRun = report.checks.filter((check) => check.status !== 'ran');
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Pilot Light',
            ...(options.toolVersion ? { version: options.toolVersion } : {}),
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: notRun.length === 0,
            ...(isValidIsoDate(report.generatedAt) ? { endTimeUtc: report.generatedAt } : {}),
            toolExecutionNotifications: notRun.map((check) => notificationFor(check, ruleIndex.get(check.ruleId)!)),
          },
        ],
        results,
        properties: {
          account: report.account,
          regions: report.regions,
          checksNotRun: notRun.map((check) => check.ruleId),
        },
      },
    ],
  };
}

export function complianceReportSarifText(report: ComplianceReport, options?: SarifOptions): string {
  return `${JSON.stringify(complianceReportSarif(report, options), null, 2)}\n`;
}
