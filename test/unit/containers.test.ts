import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseContainerRequest } from '../../src/core/containers/chatIntent';
import {
  awsLogsTargets,
  containerForImage,
  describeChanges,
  diffTaskDefinitions,
  imageRepository,
  resolveImageReference,
  taskDefinitionText,
  withImage,
} from '../../src/core/containers/taskDefinitions';
import { parseIntent } from '../../src/core/conversation/keywordParser';
import { nextScaling } from '../../src/core/operations/eksEcrLogs';
import { belongsToService, scanSummary, serviceTone, summarizeService } from '../../src/core/resources/containers';

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const revision = (number: number, image: string, extra: Record<string, unknown> = {}) => ({
  taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${number}`,
  family: 'web',
  revision: number,
  status: 'ACTIVE',
  registeredAt: `2026-12-0${number}T00:00:00Z`,
  cpu: '256',
  containerDefinitions: [
    {
      name: 'web',
      image,
      environment: [{ name: 'MODE', value: 'a' }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/web', 'awslogs-stream-prefix': 'ecs' },
      },
    },
    { name: 'sidecar', image: 'envoy:1.30' },
  ],
  ...extra,
});

describe('containers: no-model phrases', () => {
  it('understands the four phrases of the issue', () => {
    assert.deepEqual(parseContainerRequest('Scale the web service to 5 tasks'), {
      kind: 'scale-service',
      service: 'web',
      desiredCount: 5,
    });
    assert.deepEqual(parseContainerRequest('Deploy my-api:latest to the production cluster'), {
      kind: 'deploy',
      image: 'my-api:latest',
      cluster: 'production',
    });
    assert.deepEqual(parseContainerRequest('Rollback the API service to the previous version'), {
      kind: 'rollback',
      service: 'API',
    });
    assert.deepEqual(parseContainerRequest('Show me logs from the payment-service containers'), {
      kind: 'logs',
      service: 'payment-service',
    });
  });

  it('reads clusters, revisions, node groups and service targets', () => {
    assert.deepEqual(parseContainerRequest('scale web in the staging cluster to 3'), {
      kind: 'scale-service',
      service: 'web',
      desiredCount: 3,
      cluster: 'staging',
    });
    assert.deepEqual(parseContainerRequest('scale node group general to 4 nodes'), {
      kind: 'scale-nodegroup',
      nodegroup: 'general',
      desiredSize: 4,
    });
    assert.deepEqual(parseContainerRequest('roll back checkout to revision 7'), {
      kind: 'rollback',
      service: 'checkout',
      revision: 7,
    });
    assert.deepEqual(parseContainerRequest('deploy web:1.2 to the web service in cluster staging'), {
      kind: 'deploy',
      image: 'web:1.2',
      service: 'web',
      cluster: 'staging',
    });
    assert.deepEqual(parseContainerRequest('list ecs services'), { kind: 'overview' });
  });

  it('leaves other requests to the keyword parser', () => {
    for (const text of [
      'stop web-1',
      "what's running in production?",
      'find unused volumes',
      'show security groups',
      'deploy',
    ])
      assert.equal(parseContainerRequest(text), undefined, text);
    assert.equal(parseIntent('stop web-1').kind, 'action');
    const intent = parseIntent('Scale the web service to 5 tasks');
    assert.equal(intent.kind, 'containers');
  });

  it('never throws and stays bounded on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        const request = parseContainerRequest(text);
        if (request && 'service' in request && request.service) assert.ok(request.service.length <= 255);
      }),
      { numRuns: 500 },
    );
  });
});

describe('containers: task definition previews', () => {
  it('deploys an image by changing only that container, keeping the registry of a short reference', () => {
    const current = revision(3, `${REGISTRY}/web:1.1`);
    const image = resolveImageReference('web:1.2', current.containerDefinitions[0].image);
    assert.equal(image, `${REGISTRY}/web:1.2`);
    assert.equal(resolveImageReference('nginx:1.27', `${REGISTRY}/web:1.1`), 'nginx:1.27');
    const container = containerForImage(current, image);
    assert.equal(container.name, 'web');
    const next = withImage(current, 'web', image);
    assert.equal(next.taskDefinitionArn, undefined);
    assert.equal(next.revision, undefined);
    assert.deepEqual(describeChanges(diffTaskDefinitions(current, next as never)), [
      `containerDefinitions[web].image: "${REGISTRY}/web:1.1" → "${REGISTRY}/web:1.2"`,
    ]);
  });

  it('asks which container when the image matches none of several', () => {
    assert.throws(() => containerForImage(revision(1, 'web:1'), 'redis:7'), /has 2 containers \(web, sidecar\)/);
    assert.throws(() => containerForImage(revision(1, 'web:1'), 'web:2', 'api'), /no container "api"/);
  });

  it('diffs two revisions field by field, containers and variables by name, ignoring ARN, revision and dates', () => {
    const from = revision(4, 'web:2', { memory: '512' });
    const to = revision(2, 'web:1');
    to.containerDefinitions[0].environment = [{ name: 'MODE', value: 'b' }];
    const lines = describeChanges(diffTaskDefinitions(from, to));
    assert.deepEqual(lines, [
      'containerDefinitions[web].environment[MODE].value: "a" → "b"',
      'containerDefinitions[web].image: "web:2" → "web:1"',
      'memory: "512" → (absent)',
    ]);
    assert.deepEqual(describeChanges(diffTaskDefinitions(revision(1, 'x'), revision(2, 'x'))), [
      'The two revisions define the same tasks (only the revision number differs).',
    ]);
    assert.ok(!taskDefinitionText(from).includes('revision'), 'the diff editor text leaves the revision out');
  });

  it('finds awslogs streams as <prefix>/<container>/<task ID> and says which containers have none', () => {
    const { targets, unsupported } = awsLogsTargets(revision(1, 'web:1'), 'abc123');
    assert.deepEqual(targets, [
      { containerName: 'web', logGroupName: '/ecs/web', region: undefined, logStreamName: 'ecs/web/abc123' },
    ]);
    assert.deepEqual(unsupported, [{ containerName: 'sidecar', logDriver: 'none' }]);
  });

  it('names repositories of image references', () => {
    assert.equal(imageRepository(`${REGISTRY}/team/my-api:1.4`), 'my-api');
    assert.equal(imageRepository('my-api@sha256:abc'), 'my-api');
    assert.equal(imageRepository('localhost:5000/my-api'), 'my-api');
  });

  it('keeps node group sizes within min and max, or says which to change', () => {
    assert.deepEqual(nextScaling({ minSize: 1, desiredSize: 2, maxSize: 6 }, { desiredSize: 5 }), {
      minSize: 1,
      desiredSize: 5,
      maxSize: 6,
    });
    assert.deepEqual(nextScaling({ minSize: 1, desiredSize: 2, maxSize: 6 }, { desiredSize: 9, maxSize: 10 }), {
      minSize: 1,
      desiredSize: 9,
      maxSize: 10,
    });
    assert.throws(
      () => nextScaling({ minSize: 1, desiredSize: 2, maxSize: 6 }, { desiredSize: 9 }),
      /outside the node group's range 1–6/,
    );
  });
});

describe('containers: explorer rows', () => {
  it('shows counts, revision and rollout state of a service, and its deployments, tasks and revisions', () => {
    const service = {
      serviceArn: 'arn:aws:ecs:us-east-1:1:service/staging/web',
      serviceName: 'web',
      clusterArn: 'arn:aws:ecs:us-east-1:1:cluster/staging',
      status: 'ACTIVE',
      desiredCount: 5,
      runningCount: 3,
      pendingCount: 2,
      taskDefinition: 'arn:aws:ecs:us-east-1:1:task-definition/web:4',
      deployments: [
        {
          id: 'a',
          status: 'PRIMARY',
          rolloutState: 'IN_PROGRESS' as const,
          taskDefinition: 'arn:aws:ecs:us-east-1:1:task-definition/web:4',
        },
        {
          id: 'b',
          status: 'ACTIVE',
          rolloutState: 'COMPLETED' as const,
          taskDefinition: 'arn:aws:ecs:us-east-1:1:task-definition/web:3',
        },
      ],
    };
    const row = summarizeService(service);
    assert.deepEqual(row.details, [
      'desired 5 · running 3 · pending 2',
      'web:4',
      'rollout IN_PROGRESS',
      '2 deployments',
    ]);
    assert.equal(row.stateTone, 'transitional');
    assert.deepEqual(
      row.children!.map((lister) => lister.title),
      ['Deployments', 'Tasks', 'Revisions of web'],
    );
    assert.equal(serviceTone({ ...service, deployments: [{ status: 'PRIMARY', rolloutState: 'FAILED' }] }), 'error');
    assert.equal(
      serviceTone({
        ...service,
        pendingCount: 0,
        runningCount: 5,
        deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }],
      }),
      'ok',
    );
    assert.equal(belongsToService({ group: 'service:web' }, 'web'), true);
    assert.equal(belongsToService({ group: 'family:web' }, 'web'), false);
  });

  it('summarizes scan findings by severity, and says when an image was not scanned', () => {
    assert.equal(
      scanSummary({ imageScanFindingsSummary: { findingSeverityCounts: { LOW: 4, CRITICAL: 1 } } }),
      'scan: 1 CRITICAL, 4 LOW',
    );
    assert.equal(scanSummary({}), undefined);
    assert.equal(scanSummary({ imageScanStatus: { status: 'IN_PROGRESS' } }), 'scan IN_PROGRESS');
  });
});
