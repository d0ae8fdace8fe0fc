import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { flowNestingOffset } from '../../src/core/dr/parse';
import {
  TEMPLATE_LIMITS,
  structureProblem,
  isCloudFormationTemplate,
  parseTemplate as parseWith,
  type CfnTemplate,
} from '../../src/core/iac/cloudformation/template';

const YAML_TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Description: Web tier
Parameters:
  Env:
    Type: String
    Default: dev
Mappings:
  Sizes:
    dev: { Type: t3.micro }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Subnet:
    Type: AWS::EC2::Subnet
    DependsOn: [Vpc]
    Condition: IsProd
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
      AvailabilityZone: !Select [0, !GetAZs ""]
      Tags:
        - Key: Name
          Value: !Sub "\${AWS::StackName}-\${Env}-\${Vpc.CidrBlock}-\${!Literal}"
        - Key: Size
          Value: !FindInMap [Sizes, !Ref Env, Type]
        - Key: Joined
          Value: !Join
            - ","
            - - !If [IsProd, a, !Ref "AWS::NoValue"]
              - !Base64 b
              - !ImportValue shared
              - !Sub
                - "\${Local}-\${Vpc}"
                - Local: x
Outputs:
  SubnetId:
    Condition: NotProd
    Value: !Ref Subnet
`;

function slice(template: CfnTemplate, start: number, end: number): string {
  return template.text.slice(start, end);
}

for (const reader of ['auto', 'yaml-package'] as const)
  describe(`CloudFormation template model (YAML reader: ${reader})`, () => {
    const parseTemplate = (text: string) => parseWith(text, reader);

    it('turns every short-form tag into the long form, in the value and the tree', () => {
      const template = parseTemplate(YAML_TEMPLATE);
      assert.deepEqual(template.problems, []);
      assert.equal(template.format, 'yaml');
      assert.equal(template.isCloudFormation, true);
      const value = template.value as any;
      assert.deepEqual(value.Conditions.IsProd, { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] });
      assert.deepEqual(value.Conditions.NotProd, { 'Fn::Not': [{ Condition: 'IsProd' }] });
      const props = value.Resources.Subnet.Properties;
      assert.deepEqual(props.VpcId, { Ref: 'Vpc' });
      assert.deepEqual(props.CidrBlock, {
        'Fn::Select': [0, { 'Fn::Cidr': [{ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, 4, 8] }],
      });
      assert.deepEqual(props.AvailabilityZone, { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] });
      assert.deepEqual(props.Tags[1].Value, { 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Type'] });
      assert.deepEqual(props.Tags[2].Value, {
        'Fn::Join': [
          ',',
          [
            { 'Fn::If': ['IsProd', 'a', { Ref: 'AWS::NoValue' }] },
            { 'Fn::Base64': 'b' },
            { 'Fn::ImportValue': 'shared' },
            { 'Fn::Sub': ['${Local}-${Vpc}', { Local: 'x' }] },
          ],
        ],
      });
      const node = template.nodeAt(['Resources', 'Subnet', 'Properties', 'VpcId']);
      assert.equal(node?.kind === 'map' && node.shortForm, '!Ref');
    });

    it('locates keys and values, the short-form tag included in the value', () => {
      const template = parseTemplate(YAML_TEMPLATE);
      const range = template.rangeOf(['Resources', 'Subnet', 'Properties', 'VpcId'])!;
      assert.equal(slice(template, range.key!.start, range.key!.end), 'VpcId');
      assert.equal(slice(template, range.value.start, range.value.end), '!Ref Vpc');
      const line = YAML_TEMPLATE.split('\n').findIndex((text) => text.includes('VpcId:'));
      assert.deepEqual(range.key!.startPosition, { line, character: 6 });
      assert.deepEqual(range.value.startPosition, { line, character: 13 });
      const cidr = template.rangeOf(['Resources', 'Vpc', 'Properties', 'CidrBlock'])!;
      assert.equal(slice(template, cidr.value.start, cidr.value.end), '10.0.0.0/16');
      const getAtt = template.rangeOf([
        'Resources',
        'Subnet',
        'Properties',
        'CidrBlock',
        'Fn::Select',
        1,
        'Fn::Cidr',
        0,
        'Fn::GetAtt',
        1,
      ])!;
      assert.equal(slice(template, getAtt.value.start, getAtt.value.end), 'CidrBlock');
      assert.equal(template.rangeOf(['Resources', 'Missing']), undefined);
      const located = template.locate(range.value.start + 6)!;
      assert.deepEqual(located.path, ['Resources', 'Subnet', 'Properties', 'VpcId', 'Ref']);
      assert.equal(located.onKey, false);
      const onKey = template.locate(range.key!.start + 1)!;
      assert.deepEqual(onKey.path, ['Resources', 'Subnet', 'Properties', 'VpcId']);
      assert.equal(onKey.onKey, true);
    });

    it('indexes definitions and every kind of reference, each at its name', () => {
      const template = parseTemplate(YAML_TEMPLATE);
      assert.deepEqual([...template.definitions.get('Resources')!.keys()], ['Vpc', 'Subnet']);
      const vpc = template.definition('Resources', 'Vpc')!;
      assert.equal(slice(template, vpc.keyStart, vpc.keyEnd), 'Vpc');
      const refs = template.references.map((r) => [r.kind, r.target, r.attribute, slice(template, r.start, r.end)]);
      assert.deepEqual(refs, [
        ['Ref', 'Env', undefined, 'Env'],
        ['Condition', 'IsProd', undefined, 'IsProd'],
        ['DependsOn', 'Vpc', undefined, 'Vpc'],
        ['Condition', 'IsProd', undefined, 'IsProd'],
        ['Ref', 'Vpc', undefined, 'Vpc'],
        ['GetAtt', 'Vpc', 'CidrBlock', 'Vpc'],
        ['Sub', 'AWS::StackName', undefined, 'AWS::StackName'],
        ['Sub', 'Env', undefined, 'Env'],
        ['Sub', 'Vpc', 'CidrBlock', 'Vpc'],
        ['FindInMap', 'Sizes', undefined, 'Sizes'],
        ['Ref', 'Env', undefined, 'Env'],
        ['Condition', 'IsProd', undefined, 'IsProd'],
        ['Ref', 'AWS::NoValue', undefined, 'AWS::NoValue'],
        ['Sub', 'Vpc', undefined, 'Vpc'],
        ['Condition', 'NotProd', undefined, 'NotProd'],
        ['Ref', 'Subnet', undefined, 'Subnet'],
      ]);
      assert.equal(template.referencesTo(vpc).length, 5);
      const pseudo = template.references.find((r) => r.target === 'AWS::NoValue')!;
      assert.deepEqual(template.resolve(pseudo), { pseudo: true });
      const env = template.references[0];
      assert.equal(template.resolve(env).definition?.section, 'Parameters');
    });

    it('reads JSON templates with the same model', () => {
      const json = JSON.stringify(
        {
          Resources: {
            Bucket: { Type: 'AWS::S3::Bucket' },
            Policy: {
              Type: 'AWS::S3::BucketPolicy',
              DependsOn: 'Bucket',
              Properties: { Bucket: { Ref: 'Bucket' }, Arn: { 'Fn::GetAtt': ['Bucket', 'Arn'] } },
            },
          },
        },
        null,
        2,
      );
      const template = parseTemplate(json);
      assert.equal(template.format, 'json');
      assert.deepEqual(template.problems, []);
      assert.equal(template.isCloudFormation, true);
      const refs = template.references.map((r) => [r.kind, slice(template, r.start, r.end)]);
      assert.deepEqual(refs, [
        ['DependsOn', 'Bucket'],
        ['Ref', 'Bucket'],
        ['GetAtt', 'Bucket'],
      ]);
      const range = template.rangeOf(['Resources', 'Policy', 'Type'])!;
      assert.equal(slice(template, range.value.start, range.value.end), '"AWS::S3::BucketPolicy"');
    });

    it('reports JSON comments, duplicate keys and unknown tags, and keeps a partial tree', () => {
      const json = parseTemplate('{ "Resources": { // note\n "A": { "Type": "AWS::S3::Bucket" } } }');
      assert.ok(json.problems.some((p) => p.code === 'json-InvalidCommentToken'));
      assert.equal(json.hasErrors, true);
      const duplicate = parseTemplate('Resources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::SQS::Queue\n');
      const problem = duplicate.problems.find((p) => p.code === 'duplicate-key')!;
      assert.equal(duplicate.text.slice(problem.start, problem.end), 'A');
      assert.equal((duplicate.value as any).Resources.A.Type, 'AWS::S3::Bucket');
      const tagged = parseTemplate('Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      X: !Nope y\n');
      assert.deepEqual(
        tagged.problems.map((p) => [p.code, p.severity]),
        [['unknown-tag', 'warning']],
      );
      const broken = parseTemplate('Resources:\n  A:\n    Type: AWS::S3::Bucket\n  B: [unclosed\n');
      assert.equal(broken.hasErrors, true);
      assert.ok(broken.definition('Resources', 'A'));
    });

    it('recognises templates by content, whatever the file name', () => {
      assert.equal(isCloudFormationTemplate('AWSTemplateFormatVersion: "2010-09-09"\n'), true);
      assert.equal(isCloudFormationTemplate('{"AWSTemplateFormatVersion":"2010-09-09","Resources":{}}'), true);
      assert.equal(isCloudFormationTemplate('Resources:\n  Q:\n    Type: AWS::SQS::Queue\n'), true);
      assert.equal(
        isCloudFormationTemplate('{\n  "Resources": {\n    "Q": { "Type": "AWS::SQS::Queue" }\n  }\n}'),
        true,
      );
      assert.equal(isCloudFormationTemplate('Resources:\n  Q:\n    Type: Custom::Thing\n'), true);
      // Not templates: a Kubernetes manifest, a serverless.yml nesting Resources, a package.json.
      assert.equal(isCloudFormationTemplate('apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n'), false);
      assert.equal(
        isCloudFormationTemplate('service: x\nresources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n'),
        false,
      );
      assert.equal(isCloudFormationTemplate('{"name":"x","version":"1.0.0"}'), false);
      assert.equal(isCloudFormationTemplate('Resources:\n  Q:\n    Type: My::Own::Type\n'), false);
    });

    it('bounds its input: size, flow and block nesting, aliases', () => {
      const large = parseTemplate(`Description: "${'x'.repeat(TEMPLATE_LIMITS.bytes)}"\n`);
      assert.deepEqual(
        large.problems.map((p) => p.code),
        ['too-large'],
      );
      assert.equal(large.root, undefined);
      assert.equal(parseTemplate(`A: ${'['.repeat(100)}${']'.repeat(100)}\n`).problems[0].code, 'too-deep');
      let block = 'A:\n';
      for (let depth = 1; depth < 100; depth++) block += `${' '.repeat(depth)}k:\n`;
      assert.equal(parseTemplate(block).problems[0].code, 'too-deep');
      assert.equal(parseTemplate(`A:\n  ${'- '.repeat(200_000)}x\n`).problems[0].code, 'too-deep');
      assert.equal(parseTemplate(`A:\n  ${'x: '.repeat(200_000)}x\n`).problems[0].code, 'too-deep');
      assert.equal(parseTemplate(`A:\n  ${'? '.repeat(200_000)}x\n`).problems[0].code, 'too-deep');
      // Alias expansion: ten levels of ten aliases each would be 10^10 values.
      let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
      for (let level = 1; level < 10; level++)
        bomb += `a${level}: &a${level} [${Array.from({ length: 10 }, () => `*a${level - 1}`).join(', ')}]\n`;
      const exploded = parseTemplate(bomb);
      assert.equal(exploded.root, undefined);
      assert.ok(['too-many-aliases', 'too-many-nodes'].includes(exploded.problems[0].code));
      const aliased = parseTemplate('Base: &base { Type: AWS::SQS::Queue }\nResources:\n  Q: *base\n');
      assert.equal((aliased.value as any).Resources.Q.Type, 'AWS::SQS::Queue');
    });

    it('never throws, whatever the text', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
          const template = parseTemplate(text);
          for (const reference of template.references) assert.ok(reference.start <= reference.end);
        }),
        { numRuns: 300 },
      );
      const alphabet = fc.constantFrom(...'!&*-:{}[],"\' \n\tRefSub${}.#|>'.split(''));
      fc.assert(
        fc.property(fc.array(alphabet, { maxLength: 200 }), (chars) => {
          parseTemplate(chars.join(''));
        }),
        { numRuns: 300 },
      );
    });

    it('the one-pass structure scan finds the same flow nesting as the DR parser check (property)', () => {
      const alphabet = fc.constantFrom(...'[]{}"\'#\\ \nab-:?'.split(''));
      fc.assert(
        fc.property(fc.array(alphabet, { maxLength: 120 }), fc.integer({ min: 1, max: 4 }), (chars, limit) => {
          const text = chars.join('');
          assert.equal(structureProblem(text, limit, false)?.offset, flowNestingOffset(text, limit));
        }),
        { numRuns: 500 },
      );
    });

    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/);
    const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('map')),
      list: fc.array(tie('node'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('node'), { maxKeys: 4, noNullPrototype: true }),
    })).node;

    function paths(node: unknown, prefix: Array<string | number> = []): Array<[Array<string | number>, unknown]> {
      const own: Array<[Array<string | number>, unknown]> = [[prefix, node]];
      if (Array.isArray(node)) return own.concat(...node.map((item, index) => paths(item, [...prefix, index])));
      if (node && typeof node === 'object')
        return own.concat(...Object.entries(node).map(([k, v]) => paths(v, [...prefix, k])));
      return own;
    }

    it('reads back any JSON value, and every value and key is where the index says (property)', () => {
      fc.assert(
        fc.property(
          fc.dictionary(key, value, { maxKeys: 5, noNullPrototype: true }),
          fc.boolean(),
          (document, pretty) => {
            const text = JSON.stringify(document, null, pretty ? 2 : undefined);
            const template = parseTemplate(text);
            assert.deepEqual(template.problems, []);
            assert.deepEqual(template.value, document);
            for (const [path, expected] of paths(document)) {
              const range = template.rangeOf(path)!;
              assert.deepEqual(JSON.parse(text.slice(range.value.start, range.value.end)), expected);
              if (range.key)
                assert.equal(JSON.parse(text.slice(range.key.start, range.key.end)), path[path.length - 1]);
            }
          },
        ),
        { numRuns: 200 },
      );
    });

    it('reads back any YAML value, with keys where the index says (property)', () => {
      fc.assert(
        fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5, noNullPrototype: true }), (document) => {
          const text = stringify(document);
          const template = parseTemplate(text);
          assert.deepEqual(template.problems, []);
          assert.deepEqual(template.value, document);
          for (const [path] of paths(document)) {
            const range = template.rangeOf(path)!;
            if (range.key && typeof path[path.length - 1] === 'string')
              assert.equal(text.slice(range.key.start, range.key.end), path[path.length - 1]);
            const located = template.locate(range.value.start);
            assert.ok(located);
          }
        }),
        { numRuns: 200 },
      );
    });

    it('finds every reference at its name, in short and long form (property)', () => {
      const id = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,10}$/);
      const reference = fc.tuple(fc.constantFrom('ref', 'getatt', 'sub', 'depends', 'longref', 'quotedref'), id);
      fc.assert(
        fc.property(fc.array(reference, { minLength: 1, maxLength: 8 }), (refs) => {
          const lines = ['Resources:'];
          refs.forEach(([form, target], index) => {
            lines.push(`  R${index}:`, '    Type: AWS::SQS::Queue');
            if (form === 'depends') lines.push(`    DependsOn: ${target}`);
            else {
              const written = {
                ref: `!Ref ${target}`,
                getatt: `!GetAtt ${target}.Arn`,
                sub: `!Sub "pre-\${${target}}-\${!Skip}"`,
                longref: `{ Ref: ${target} }`,
                quotedref: `!Ref "${target}"`,
              }[form];
              lines.push('    Properties:', `      Value: ${written}`);
            }
          });
          const template = parseTemplate(lines.join('\n'));
          assert.deepEqual(template.problems, []);
          assert.deepEqual(
            template.references.map((r) => template.text.slice(r.start, r.end)),
            refs.map(([, target]) => target),
          );
        }),
        { numRuns: 200 },
      );
    });

    it('parses a 2,000-line template in linear time (generous bound)', () => {
      const lines = ['AWSTemplateFormatVersion: "2010-09-09"', 'Resources:'];
      for (let i = 0; lines.length < 2000; i++)
        lines.push(
          `  Queue${i}:`,
          '    Type: AWS::SQS::Queue',
          '    Properties:',
          `      QueueName: !Sub "\${AWS::StackName}-${i}"`,
          `      DelaySeconds: ${i % 900}`,
          `      RedrivePolicy: { deadLetterTargetArn: !GetAtt Queue${Math.max(0, i - 1)}.Arn, maxReceiveCount: 3 }`,
        );
      const started = performance.now();
      const template = parseTemplate(lines.join('\n'));
      assert.ok(template.references.length > 600);
      assert.ok(performance.now() - started < 2000);
    });
  });
