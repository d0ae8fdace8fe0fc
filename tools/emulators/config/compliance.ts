/**
 * AWS Config rule compliance, which moto 5.2.5 lacks: moto stores rules and recorders but answers
 * PutEvaluations only in test mode (storing nothing) and has no DescribeComplianceByConfigRule or
 * GetComplianceDetailsByConfigRule. This handler answers those three (JSON 1.1, `StarlingDoveService.*`),
 * mounted in the gateway before moto; everything else about Config still goes to moto.
 *
 * Emulation limits, by design: on AWS a rule's Lambda receives an opaque ResultToken; here the
 * ResultToken of PutEvaluations is the rule name. Rules appear in the compliance answers once they have
 * evaluations (AWS would list a rule without evaluations as INSUFFICIENT_DATA). State is per region.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson, sigV4Scope } from '../drs/http';

export const CONFIG_COMPLIANCE_OPERATIONS = [
  'PutEvaluations',
  'DescribeComplianceByConfigRule',
  'GetComplianceDetailsByConfigRule',
] as const;

type ComplianceType = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA';

interface StoredEvaluation {
  ruleName: string;
  resourceType: string;
  resourceId: string;
  complianceType: ComplianceType;
  annotation?: string;
  orderingTimestamp: number;
  recordedAt: number;
}

class ConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const COMPLIANCE_TYPES = new Set(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']);

export class ConfigComplianceEmulator {
  /** region → rule → "type|id" → latest evaluation */
  private readonly evaluations = new Map<string, Map<string, Map<string, StoredEvaluation>>>();
  readonly calls: Record<string, number> = {};

  static matches(req: IncomingMessage): boolean {
    const target = String(req.headers['x-amz-target'] ?? '');
    return req.method === 'POST' && CONFIG_COMPLIANCE_OPERATIONS.some((op) => target === `StarlingDoveService.${op}`);
  }

  reset(): void {
    this.evaluations.clear();
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^StarlingDoveService\./, '');
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    readBody(req, 1024 * 1024)
      .then((body) => {
        const input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        const region = sigV4Scope(req)?.region ?? 'us-east-1';
        switch (operation) {
          case 'PutEvaluations':
            return this.putEvaluations(region, input);
          case 'DescribeComplianceByConfigRule':
            return this.describeCompliance(region, input);
          case 'GetComplianceDetailsByConfigRule':
            return this.details(region, input);
          default:
            throw new ConfigError('InvalidAction', `${operation} is not handled by the Config compliance emulator`);
        }
      })
      .then(
        (output) => sendJson(res, 200, output, { 'content-type': 'application/x-amz-json-1.1' }),
        (error: unknown) => {
          const code = error instanceof ConfigError ? error.code : 'InvalidParameterValueException';
          sendJson(
            res,
            400,
            { __type: code, message: error instanceof Error ? error.message : String(error) },
            {
              'content-type': 'application/x-amz-json-1.1',
            },
          );
        },
      );
  }

  private rules(region: string): Map<string, Map<string, StoredEvaluation>> {
    let rules = this.evaluations.get(region);
    if (!rules) this.evaluations.set(region, (rules = new Map()));
    return rules;
  }

  private putEvaluations(region: string, input: Record<string, unknown>) {
    const evaluations = input.Evaluations as Array<Record<string, unknown>> | undefined;
    if (!Array.isArray(evaluations) || !evaluations.length)
      throw new ConfigError('InvalidParameterValueException', 'The Evaluations object in your request cannot be null.');
    if (evaluations.length > 100)
      throw new ConfigError('InvalidParameterValueException', 'At most 100 evaluations per PutEvaluations call.');
    const ruleName = typeof input.ResultToken === 'string' ? input.ResultToken : '';
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(ruleName))
      throw new ConfigError(
        'InvalidResultTokenException',
        'The ResultToken (in this emulator: the rule name) is invalid.',
      );
    if (input.TestMode === true) return { FailedEvaluations: [] };
    const rule = this.rules(region).get(ruleName) ?? new Map<string, StoredEvaluation>();
    this.rules(region).set(ruleName, rule);
    for (const evaluation of evaluations) {
      const complianceType = String(evaluation.ComplianceType);
      if (!COMPLIANCE_TYPES.has(complianceType))
        throw new ConfigError('InvalidParameterValueException', `ComplianceType ${complianceType} is not valid.`);
      const resourceType = String(evaluation.ComplianceResourceType ?? '');
      const resourceId = String(evaluation.ComplianceResourceId ?? '');
      if (!resourceType || !resourceId)
        throw new ConfigError(
          'InvalidParameterValueException',
          'ComplianceResourceType and ComplianceResourceId are required.',
        );
      rule.set(`${resourceType}|${resourceId}`, {
        ruleName,
        resourceType,
        resourceId,
        complianceType: complianceType as ComplianceType,
        annotation: typeof evaluation.Annotation === 'string' ? evaluation.Annotation : undefined,
        orderingTimestamp: Number(evaluation.OrderingTimestamp ?? Date.now() / 1000),
        recordedAt: Date.now() / 1000,
      });
    }
    return { FailedEvaluations: [] };
  }

  private ruleCompliance(rule: Map<string, StoredEvaluation>): ComplianceType {
    const types = [...rule.values()].map((evaluation) => evaluation.complianceType);
    if (types.includes('NON_COMPLIANT')) return 'NON_COMPLIANT';
    if (types.includes('COMPLIANT')) return 'COMPLIANT';
    return 'INSUFFICIENT_DATA';
  }

  private describeCompliance(region: string, input: Record<string, unknown>) {
    const names = input.ConfigRuleNames as string[] | undefined;
    const types = input.ComplianceTypes as string[] | undefined;
    const rules = [...this.rules(region).entries()]
      .filter(([name]) => !names?.length || names.includes(name))
      .map(([name, rule]) => {
        const complianceType = this.ruleCompliance(rule);
        const nonCompliant = [...rule.values()].filter(
          (evaluation) => evaluation.complianceType === 'NON_COMPLIANT',
        ).length;
        return {
          ConfigRuleName: name,
          Compliance: {
            ComplianceType: complianceType,
            ...(nonCompliant
              ? {
                  ComplianceContributorCount: {
                    CappedCount: Math.min(nonCompliant, 100),
                    CapExceeded: nonCompliant > 100,
                  },
                }
              : {}),
          },
        };
      })
      .filter((entry) => !types?.length || types.includes(entry.Compliance.ComplianceType));
    return page(rules, input.NextToken, 25, 'ComplianceByConfigRules');
  }

  private details(region: string, input: Record<string, unknown>) {
    const name = String(input.ConfigRuleName ?? '');
    const rule = this.rules(region).get(name);
    if (!rule)
      throw new ConfigError(
        'NoSuchConfigRuleException',
        `The ConfigRule '${name}' provided in the request is invalid.`,
      );
    const types = input.ComplianceTypes as string[] | undefined;
    const limit = Math.min(Math.max(Number(input.Limit ?? 10) || 10, 1), 100);
    const results = [...rule.values()]
      .filter((evaluation) => !types?.length || types.includes(evaluation.complianceType))
      .map((evaluation) => ({
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: {
            ConfigRuleName: evaluation.ruleName,
            ResourceType: evaluation.resourceType,
            ResourceId: evaluation.resourceId,
          },
          OrderingTimestamp: evaluation.orderingTimestamp,
        },
        ComplianceType: evaluation.complianceType,
        ResultRecordedTime: evaluation.recordedAt,
        ConfigRuleInvokedTime: evaluation.recordedAt,
        ...(evaluation.annotation ? { Annotation: evaluation.annotation } : {}),
      }));
    return page(results, input.NextToken, limit, 'EvaluationResults');
  }
}

function page<T>(items: T[], token: unknown, size: number, key: string): Record<string, unknown> {
  const start = typeof token === 'string' && /^\d+$/.test(token) ? Number(token) : 0;
  const slice = items.slice(start, start + size);
  const next = start + size < items.length ? String(start + size) : undefined;
  return { [key]: slice, ...(next ? { NextToken: next } : {}) };
}
