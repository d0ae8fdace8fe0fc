import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsConnection } from '../../src/core/aws/connection';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import { resolveGuardrailPolicy } from '../../src/core/guardrails';
import { createOperationRegistry } from '../../src/core/operations';
import { OperationRunner } from '../../src/core/operations/runner';
import type { ResourceReads } from '../../src/core/resources/model';
import { runnerReads } from '../../src/core/resources/runnerReads';

/**
 * The explorer's read path outside VS Code: listers run registered read operations through a real
 * OperationRunner (default policy; reads are not audited by default, so the trail file stays untouched).
 */
export function readsThroughRunner(
  connection: AwsConnection,
  policyInput: Parameters<typeof resolveGuardrailPolicy>[0] = {},
  auditPath = join(tmpdir(), `pilot-light-reads-${process.pid}`, 'audit.jsonl'),
): ResourceReads & { runner: OperationRunner } {
  const runner = new OperationRunner({
    registry: createOperationRegistry(),
    connection,
    policy: resolveGuardrailPolicy(policyInput).policy,
    audit: new AuditTrail(auditPath),
    retry: { sleep: async () => undefined },
  });
  return Object.assign(
    runnerReads(
      async () => runner,
      () => connection.identity(),
    ),
    { runner },
  );
}
