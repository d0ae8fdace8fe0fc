// The template the iac-language bench opens: a realistic 2,000-line YAML template (VPC, subnets, security
// groups, instances, roles, buckets, queues, with intrinsics everywhere) holding exactly two mistakes, so the
// first diagnostics are a real answer, not an empty list.

export const BENCH_TEMPLATE_MISTAKES = 2;

export function benchTemplate(lines = 2000): string {
  const out = [
    'AWSTemplateFormatVersion: "2010-09-09"',
    'Description: iac-language bench template',
    'Parameters:',
    '  Env:',
    '    Type: String',
    '    Default: dev',
    '  InstanceType:',
    '    Type: String',
    '    Default: t3.micro',
    'Conditions:',
    '  IsProd: !Equals [!Ref Env, prod]',
    'Resources:',
    '  Vpc:',
    '    Type: AWS::EC2::VPC',
    '    Properties:',
    '      CidrBlock: 10.0.0.0/16',
    '      EnableDnsSupport: true',
  ];
  const block = (i: number): string[] => [
    `  Subnet${i}:`,
    '    Type: AWS::EC2::Subnet',
    '    Properties:',
    '      VpcId: !Ref Vpc',
    `      CidrBlock: !Select [${i % 250}, !Cidr [!GetAtt Vpc.CidrBlock, 256, 8]]`,
    `      AvailabilityZone: !Select [${i % 2}, !GetAZs ""]`,
    '      Tags:',
    '        - Key: Name',
    `          Value: !Sub "\${AWS::StackName}-subnet-${i}"`,
    `  Group${i}:`,
    '    Type: AWS::EC2::SecurityGroup',
    '    Properties:',
    `      GroupDescription: tier ${i}`,
    '      VpcId: !Ref Vpc',
    '      SecurityGroupIngress:',
    '        - IpProtocol: tcp',
    '          FromPort: 443',
    '          ToPort: 443',
    '          CidrIp: 10.0.0.0/16',
    `  Instance${i}:`,
    '    Type: AWS::EC2::Instance',
    `    DependsOn: Group${i}`,
    '    Properties:',
    '      ImageId: ami-12c6146b',
    '      InstanceType: !If [IsProd, m5.large, !Ref InstanceType]',
    `      SubnetId: !Ref Subnet${i}`,
    `      SecurityGroupIds: [!GetAtt Group${i}.GroupId]`,
    '      BlockDeviceMappings:',
    '        - DeviceName: /dev/xvda',
    '          Ebs:',
    '            VolumeSize: 20',
    '            VolumeType: gp3',
    `  Queue${i}:`,
    '    Type: AWS::SQS::Queue',
    '    Properties:',
    `      QueueName: !Join ["-", [!Ref "AWS::StackName", queue, "${i}"]]`,
    '      VisibilityTimeout: 60',
  ];
  const tail = 9;
  for (let i = 0; out.length + block(i).length + tail <= lines; i++) out.push(...block(i));
  // The two mistakes: a misspelt reference and an unknown property.
  out.push(
    '  Broken:',
    '    Type: AWS::SQS::Queue',
    '    Properties:',
    '      RedriveAllowPolicy: !Ref Queue0',
    '      VisibilityTimeot: 30',
    '      QueueName: !Ref Envv',
    'Outputs:',
    '  VpcId:',
    '    Value: !Ref Vpc',
  );
  while (out.length < lines) out.push(`# padding ${out.length}`);
  return `${out.join('\n')}\n`;
}
