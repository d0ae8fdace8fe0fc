import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { hclBlock, hclString, hclValue, type HclValue } from '../../src/core/iac/generate/hcl';
import type { TfValue } from '../../src/core/iac/terraform/model';
import { MAX_TF_CHARS, parseTerraform, TfInputError, unescapeHcl } from '../../src/core/iac/terraform/parse';

/** A parsed value as plain data (literals, lists, objects); anything else is a test failure. */
function plain(value: TfValue): unknown {
  switch (value.kind) {
    case 'literal':
      return value.value;
    case 'tuple':
      return value.items.map(plain);
    case 'object':
      return Object.fromEntries(value.entries.map((entry) => [entry.key, plain(entry.value)]));
    default:
      throw new Error(`not a plain value: ${JSON.stringify(value)}`);
  }
}

const SAMPLE = `# web tier
variable "env" {
  default = "prod"
}

resource "aws_instance" "web" {
  ami           = data.aws_ami.al2023.id
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.public[0].id
  tags = {
    Name = "web-\${var.env}"
    Tier = local.tier
  }
  user_data = <<-EOT
    echo \${module.agent.url}
  EOT
  lifecycle {
    ignore_changes = [tags]
  }
}

locals {
  tier = "web"
  ids  = [for s in aws_subnet.public : s.id]
}

data "aws_ami" "al2023" {
  most_recent = true
}

module "agent" {
  source = "./agent"
}

output "web_id" {
  value = aws_instance.web.id
}

import {
  to = aws_instance.web
  id = "i-0123456789abcdef0"
}
`;

describe('Terraform parsing (tree-sitter HCL)', () => {
  it('reads blocks with their kinds, addresses and ranges', async () => {
    const doc = await parseTerraform(SAMPLE);
    assert.deepEqual(
      doc.blocks.map((block) => [block.kind, block.address ?? null]),
      [
        ['variable', 'var.env'],
        ['resource', 'aws_instance.web'],
        ['locals', null],
        ['data', 'data.aws_ami.al2023'],
        ['module', 'module.agent'],
        ['output', 'output.web_id'],
        ['import', null],
      ],
    );
    const web = doc.blocks[1];
    assert.equal(web.range.start.line, 6);
    assert.equal(web.labels[1].value, 'web');
    assert.deepEqual(web.labels[1].range.start, { line: 6, column: 25 });
    const type = web.attributes.find((attribute) => attribute.name === 'instance_type')!;
    assert.deepEqual(type.value, { kind: 'literal', value: 't3.micro' });
    assert.deepEqual(type.valueRange.start, { line: 8, column: 19 });
    assert.deepEqual(
      web.blocks.map((block) => block.keyword),
      ['lifecycle'],
    );
    assert.deepEqual(doc.problems, []);
  });

  it('finds references of every kind, with indexes skipped and for-expression names ignored', async () => {
    const doc = await parseTerraform(SAMPLE);
    assert.deepEqual(
      doc.references.map((reference) => [reference.kind, reference.target, reference.path.join('.'), reference.text]),
      [
        ['data', 'data.aws_ami.al2023', 'id', 'data.aws_ami.al2023.id'],
        ['resource', 'aws_subnet.public', 'id', 'aws_subnet.public[0].id'],
        ['var', 'var.env', '', 'var.env'],
        ['local', 'local.tier', '', 'local.tier'],
        ['module', 'module.agent', 'url', 'module.agent.url'],
        ['resource', 'aws_subnet.public', '', 'aws_subnet.public'],
        ['resource', 'aws_instance.web', 'id', 'aws_instance.web.id'],
        ['resource', 'aws_instance.web', '', 'aws_instance.web'],
      ],
    );
    const subnet = doc.references[1];
    assert.deepEqual(subnet.targetRange.start, { line: 9, column: 19 });
    assert.equal(SAMPLE.slice(subnet.targetRange.offset, subnet.targetRange.endOffset), 'aws_subnet.public');
  });

  it('keeps a template with references as parts, and computed values as expressions', async () => {
    const doc = await parseTerraform('locals {\n  a = "x-${var.y}-$${z}"\n  b = max(1, 2)\n  c = -3\n}\n');
    const [a, b, c] = doc.blocks[0].attributes;
    assert.equal(a.value.kind, 'template');
    assert.deepEqual(
      a.value.kind === 'template' && a.value.parts.map((part) => (typeof part === 'string' ? part : part.text)),
      ['x-', 'var.y', '-${z}'],
    );
    assert.deepEqual(b.value, { kind: 'expression', text: 'max(1, 2)' });
    assert.deepEqual(c.value, { kind: 'literal', value: -3 });
  });

  it('reports syntax errors with their line and still returns the good blocks', async () => {
    const doc = await parseTerraform(
      'resource "aws_vpc" "a" {\n  cidr_block = "10.0.0.0/16"\n}\nresource "aws_subnet" "b" {\n  = broken\n}\n',
    );
    assert.equal(doc.blocks[0].address, 'aws_vpc.a');
    assert.ok(doc.problems.length >= 1);
    assert.ok(
      doc.problems.some((problem) => problem.range.start.line === 5),
      JSON.stringify(doc.problems),
    );
  });

  it('refuses a file over the size limit before parsing it', async () => {
    await assert.rejects(parseTerraform(' '.repeat(MAX_TF_CHARS + 1)), TfInputError);
  });

  it('decodes HCL escapes', () => {
    assert.equal(unescapeHcl('a\\n\\"b\\\\c\\u00e9\\U0001F600$${x}%%{y}'), 'a\n"b\\cé😀${x}%{y}');
  });

  // Generated HCL must read back as the same values: strings with quotes, backslashes, newlines, `${`, `%{`,
  // control and astral characters, numbers, booleans, null, nested lists and objects with odd keys.
  it('reads back every value the HCL writer writes (property)', async () => {
    const special = fc.constantFrom(
      '"',
      '\\',
      '\n',
      '\r',
      '\t',
      '${',
      '%{',
      '$${',
      '}',
      '#',
      '//',
      '/*',
      '\u0001',
      'é',
      '😀',
      '<<EOT',
    );
    const text = fc
      .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), special), { maxLength: 8 })
      .map((parts) => parts.join(''));
    const leaf = fc.oneof(
      text,
      fc.integer({ min: -1e9, max: 1e9 }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
      fc.boolean(),
      fc.constant(null),
    );
    const value: fc.Arbitrary<HclValue> = fc.letrec<{ value: HclValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(text, fc.constantFrom('Name', 'a-b', 'x.y', 'true')), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('a', 'b_2', 'tags'), value, { minKeys: 1, maxKeys: 3 }),
        async (attributes) => {
          const source = hclBlock({
            keyword: 'resource',
            labels: ['aws_vpc', 'main'],
            attributes: Object.entries(attributes),
          });
          const doc = await parseTerraform(source);
          assert.deepEqual(doc.problems, [], source);
          const parsed = Object.fromEntries(
            doc.blocks[0].attributes.map((attribute) => [attribute.name, plain(attribute.value)]),
          );
          const expected = JSON.parse(JSON.stringify(attributes, (_key, item) => (Object.is(item, -0) ? 0 : item)));
          assert.deepEqual(parsed, expected, source);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('writes a traversal as a reference, not a string', async () => {
    const doc = await parseTerraform(
      `x = ${hclValue({ traversal: 'aws_vpc.main.id' })}\ny = ${hclString('aws_vpc.main.id')}\n`,
    );
    assert.equal(doc.attributes[0].value.kind, 'reference');
    assert.deepEqual(doc.attributes[1].value, { kind: 'literal', value: 'aws_vpc.main.id' });
  });
});
