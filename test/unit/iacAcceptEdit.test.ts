import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { acceptLiveValueEdit, applyEdit, yamlScalar } from '../../src/core/iac/drift/acceptEdit';

/** A template text built piece by piece, so the test knows where the target value is. */
function buildYaml(
  before: string[],
  target: { key: string; text: string; flow: boolean; comment: string },
  after: string[],
): { text: string; start: number; end: number; path: Array<string | number> } {
  let text = "AWSTemplateFormatVersion: '2010-09-09'\n# header comment\nResources:\n";
  for (const [index, line] of before.entries()) text += `  Before${index}:\n    Type: AWS::EC2::VPC  # ${line}\n`;
  text += '  Target:\n    Type: AWS::EC2::Instance\n    Properties:\n';
  let start: number;
  let path: Array<string | number>;
  if (target.flow) {
    text += `      SecurityGroupIds: [sg-1, `;
    start = text.length;
    text += `${target.text}, 'sg-3']  #${target.comment}\n`;
    path = ['Resources', 'Target', 'Properties', 'SecurityGroupIds', 1];
  } else {
    text += `      ${target.key}: `;
    start = text.length;
    text += `${target.text}   #${target.comment}\n`;
    path = ['Resources', 'Target', 'Properties', target.key];
  }
  const end = start + target.text.length;
  for (const [index, line] of after.entries()) text += `  After${index}:\n    Type: AWS::EC2::Subnet\n    # ${line}\n`;
  return { text, start, end, path };
}

function valueAt(value: unknown, path: Array<string | number>): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);
}

const comment = fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' '));
const liveValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('t3.large', 'true', 'no', '443', '1e3', '-', "it's", 'a: b', '#x', '[x]', '', ' lead', '0x1F', '~'),
  fc.integer({ min: -70000, max: 70000 }),
  fc.boolean(),
);
const originalText = fc.constantFrom(
  't3.micro',
  "'quoted value'",
  '"double"',
  '!FindInMap [TierSizes, !Ref Environment, Web]',
  '!Ref InstanceTypeParam',
  '443',
);

describe('accept live value into the template (minimal edit)', () => {
  it('writes YAML scalars that read back as the same value', () => {
    for (const value of ['t3.large', 'true', '443', '', "it's", 'a: b', 'x\ny', 80, false]) {
      assert.deepEqual(parseYaml(`k: ${yamlScalar(value)}`), { k: value });
      assert.deepEqual(parseYaml(`k: [a, ${yamlScalar(value)}, b]`), { k: ['a', value, 'b'] });
    }
  });

  it('changes only the value, keeps every other byte, and the template reads back the live value (YAML, property-based)', () => {
    fc.assert(
      fc.property(
        fc.array(comment, { maxLength: 4 }),
        fc.record({
          key: fc.constantFrom('InstanceType', 'ImageId', 'KeyName'),
          text: originalText,
          flow: fc.boolean(),
          comment,
        }),
        fc.array(comment, { maxLength: 4 }),
        liveValue,
        (before, target, after, live) => {
          const built = buildYaml(before, target, after);
          const edit = acceptLiveValueEdit('yaml', built, live);
          const next = applyEdit(built.text, edit);
          assert.equal(next.slice(0, built.start), built.text.slice(0, built.start));
          assert.equal(next.slice(built.start + edit.newText.length), built.text.slice(built.end));
          const parsed = parseYaml(next, {
            customTags: ['!FindInMap', '!Ref'].flatMap((tag) => [
              { tag, resolve: (s: string) => s },
              { tag, collection: 'seq' as const, resolve: (s: unknown) => s },
            ]),
          });
          assert.deepEqual(valueAt(parsed, built.path), live);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('does the same for JSON templates (property-based)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 2 }), liveValue, fc.constantFrom('  ', '\t', ''), (other, live, indent) => {
        const head = `{\n${indent}"Other": ${JSON.stringify(other)},\n${indent}"Resources": {"W": {"Properties": {"InstanceType": `;
        const original = '"t3.micro"';
        const text = `${head}${original}}}}\n}\n`;
        const span = { start: head.length, end: head.length + original.length };
        const next = applyEdit(text, acceptLiveValueEdit('json', span, live));
        assert.equal(next.slice(0, span.start), text.slice(0, span.start));
        assert.ok(next.endsWith(text.slice(span.end)));
        const parsed = JSON.parse(next) as {
          Other: unknown;
          Resources: { W: { Properties: { InstanceType: unknown } } };
        };
        assert.deepEqual(parsed.Resources.W.Properties.InstanceType, live);
        assert.deepEqual(parsed.Other, JSON.parse(JSON.stringify(other)));
      }),
      { numRuns: 300 },
    );
  });
});
