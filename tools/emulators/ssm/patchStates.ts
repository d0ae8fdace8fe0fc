/**
 * moto has no SSM Patch Manager: DescribeInstancePatchStates is answered here (through the SSM front) from
 * patch states a test seeds. Only the instances asked for are returned; unknown instances are left out, as
 * on AWS for instances Patch Manager never scanned.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../drs/http';

export interface SeededPatchState {
  instanceId: string;
  operationEndTime: Date;
  operation?: 'Scan' | 'Install';
  missingCount?: number;
  failedCount?: number;
  installedCount?: number;
}

const JSON_HEADERS = () => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });

function regionOf(req: IncomingMessage): string {
  const credential = /Credential=([^,\s]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
  const parts = credential?.split('/') ?? [];
  return parts.length >= 5 ? parts[parts.length - 3] : 'us-east-1';
}

export class SsmPatchStatesEmulator {
  private readonly states = new Map<string, Map<string, SeededPatchState>>();
  readonly calls: number[] = [];

  static matches(req: IncomingMessage): boolean {
    return req.method === 'POST' && req.headers['x-amz-target'] === 'AmazonSSM.DescribeInstancePatchStates';
  }

  seed(region: string, states: SeededPatchState[]): void {
    const inRegion = this.states.get(region) ?? new Map<string, SeededPatchState>();
    for (const state of states) inRegion.set(state.instanceId, state);
    this.states.set(region, inRegion);
  }

  reset(): void {
    this.states.clear();
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    readBody(req)
      .then((body) => {
        const input = (body.length ? JSON.parse(body.toString('utf8')) : {}) as { InstanceIds?: unknown };
        const ids = Array.isArray(input.InstanceIds) ? input.InstanceIds.map(String) : [];
        if (!ids.length || ids.length > 50) {
          sendJson(
            res,
            400,
            { __type: 'ValidationException', message: 'InstanceIds must list 1 to 50 instances.' },
            {
              ...JSON_HEADERS(),
              'x-amzn-errortype': 'ValidationException',
            },
          );
          return;
        }
        this.calls.push(ids.length);
        const inRegion = this.states.get(regionOf(req));
        const found = ids.map((id) => inRegion?.get(id)).filter((state): state is SeededPatchState => Boolean(state));
        sendJson(
          res,
          200,
          {
            InstancePatchStates: found.map((state) => ({
              InstanceId: state.instanceId,
              PatchGroup: '',
              BaselineId: 'pb-0123456789abcdef0',
              Operation: state.operation ?? 'Scan',
              OperationStartTime: state.operationEndTime.getTime() / 1000 - 60,
              OperationEndTime: state.operationEndTime.getTime() / 1000,
              MissingCount: state.missingCount ?? 0,
              FailedCount: state.failedCount ?? 0,
              InstalledCount: state.installedCount ?? 0,
            })),
          },
          JSON_HEADERS(),
        );
      })
      .catch((error: unknown) =>
        sendJson(
          res,
          500,
          { __type: 'InternalServerError', message: (error as Error).message },
          {
            ...JSON_HEADERS(),
            'x-amzn-errortype': 'InternalServerError',
          },
        ),
      );
  }
}
