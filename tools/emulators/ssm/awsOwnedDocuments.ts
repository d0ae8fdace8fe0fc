/**
 * AWS-owned Automation documents the SSM Automation emulator serves itself. moto 5.2.5 has no AWS-owned
 * documents (GetDocument of AWS-StopEC2Instance is "does not exist"), and it accepts creating a document
 * named "AWS-…", which AWS refuses (the prefix is reserved), so seeding them into moto would be unfaithful.
 *
 * These are written here from the public descriptions of the documents: their parameters (InstanceId as a
 * StringList, AutomationAssumeRole optional) and one `aws:changeInstanceState` step each. The real documents
 * may carry more (descriptions, outputs, later versions); only what the emulator runs is reproduced.
 */

export interface AwsOwnedDocument {
  name: string;
  /** The resource type the document targets (what tag targets resolve to). */
  targetType: string;
  /** Automation document content (schema 0.3), as a parsed object. */
  content: {
    schemaVersion: string;
    description: string;
    assumeRole: string;
    parameters: Record<string, { type: string; description: string; default?: unknown }>;
    mainSteps: { name: string; action: string; inputs: Record<string, unknown> }[];
  };
}

const instanceParameters = (verb: string) => ({
  InstanceId: { type: 'StringList', description: `(Required) EC2 instance(s) to ${verb}.` },
  AutomationAssumeRole: {
    type: 'String',
    description: '(Optional) The ARN of the role that allows Automation to perform the actions on your behalf.',
    default: '',
  },
});

export const AWS_OWNED_DOCUMENTS: ReadonlyMap<string, AwsOwnedDocument> = new Map(
  (
    [
      ['AWS-StopEC2Instance', 'stop', 'stopInstances', 'stopped'],
      ['AWS-StartEC2Instance', 'start', 'startInstances', 'running'],
    ] as const
  ).map(([name, verb, step, state]) => [
    name,
    {
      name,
      targetType: '/AWS::EC2::Instance',
      content: {
        schemaVersion: '0.3',
        description: `${verb === 'stop' ? 'Stop' : 'Start'} EC2 instances.`,
        assumeRole: '{{ AutomationAssumeRole }}',
        parameters: instanceParameters(verb),
        mainSteps: [
          {
            name: step,
            action: 'aws:changeInstanceState',
            inputs: { InstanceIds: '{{ InstanceId }}', DesiredState: state },
          },
        ],
      },
    },
  ]),
);
