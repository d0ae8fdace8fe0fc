import * as assert from 'node:assert/strict';
import {
  completionsAt,
  definitionAt,
  diagnose,
  documentSymbols,
  parseTerraform,
  referencesTo,
  type TfFile,
} from '../../src/core/iac/terraform';
import { editDistance, nearestAwsType } from '../../src/core/iac/terraform/awsProviderTypes';

const MAIN = `resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = var.public_cidr
  colour     = "blue"
}

resource "aws_instanse" "web" {
  ami = "ami-1"
}

resource "aws_security_group" "web" {
  vpc_id = aws_vpc.main.idd
  ingress {
    from_port = 80
  }
}

resource "aws_route_table_association" "a" {
  subnet_id = aws_subnet.missing.id
}

output "vpc" {
  value = local.name
}
`;
const VARIABLES = `variable "public_cidr" {
  type = string
}

locals {
  name = "demo"
}
`;

async function module(): Promise<TfFile[]> {
  return [
    { uri: 'file:///m/main.tf', doc: await parseTerraform(MAIN) },
    { uri: 'file:///m/variables.tf', doc: await parseTerraform(VARIABLES) },
  ];
}

const offsetOf = (text: string, needle: string, delta = 0) => {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, needle);
  return index + delta;
};

describe('Terraform analysis', () => {
  it('outlines a file by block, with locals as children', async () => {
    const [main, variables] = await module();
    assert.deepEqual(
      documentSymbols(main.doc).map((symbol) => [symbol.kind, symbol.name]),
      [
        ['resource', 'aws_vpc.main'],
        ['resource', 'aws_subnet.public'],
        ['resource', 'aws_instanse.web'],
        ['resource', 'aws_security_group.web'],
        ['resource', 'aws_route_table_association.a'],
        ['output', 'vpc'],
      ],
    );
    const locals = documentSymbols(variables.doc)[1];
    assert.deepEqual(
      locals.children.map((child) => child.name),
      ['name'],
    );
  });

  it('goes to the definition of a reference across the module files', async () => {
    const files = await module();
    const toVar = definitionAt(files, 'file:///m/main.tf', offsetOf(MAIN, 'var.public_cidr', 5));
    assert.equal(toVar?.address, 'var.public_cidr');
    assert.equal(toVar?.uri, 'file:///m/variables.tf');
    assert.equal(toVar?.selectionRange.start.line, 1);
    const toVpc = definitionAt(files, 'file:///m/main.tf', offsetOf(MAIN, 'aws_vpc.main.id', 3));
    assert.deepEqual(toVpc?.selectionRange.start, { line: 1, column: 20 });
    const toLocal = definitionAt(files, 'file:///m/main.tf', offsetOf(MAIN, 'local.name', 7));
    assert.equal(toLocal?.uri, 'file:///m/variables.tf');
    assert.equal(definitionAt(files, 'file:///m/main.tf', offsetOf(MAIN, '"10.0.0.0/16"', 2)), undefined);
  });

  it('finds the references to a resource', async () => {
    const files = await module();
    const found = referencesTo(files, 'aws_vpc.main', true);
    assert.deepEqual(
      found.map((item) => item.range.start.line),
      [1, 6, 16],
    );
  });

  it('reports broken references, near-miss types, unknown and missing arguments and unknown attributes', async () => {
    const files = await module();
    const problems = diagnose(files, 'file:///m/main.tf').map((problem) => [
      problem.code,
      problem.range.start.line,
      problem.message,
    ]);
    assert.deepEqual(problems, [
      ['unknown-attribute', 16, 'aws_vpc has no attribute "idd" (per Pilot Light\'s AWS provider knowledge).'],
      ['broken-reference', 23, 'No resource aws_subnet.missing is declared in this module.'],
      ['unknown-argument', 8, 'aws_subnet has no argument "colour".'],
      ['unknown-type', 11, 'Unknown resource type "aws_instanse". Did you mean "aws_instance"?'],
      ['missing-argument', 22, 'aws_route_table_association needs "route_table_id".'],
    ]);
    assert.deepEqual(diagnose(files, 'file:///m/variables.tf'), []);
  });

  it('completes resource types, arguments, and references', async () => {
    const files = await module();
    const typeText = 'resource "aws_v';
    const types = completionsAt(files, 'file:///m/new.tf', typeText, typeText.length).map((item) => item.label);
    assert.ok(types.includes('aws_vpc') && types.includes('aws_instance'));
    const inSubnet = offsetOf(MAIN, '  colour', 2);
    const args = completionsAt(files, 'file:///m/main.tf', MAIN, inSubnet).map((item) => item.label);
    assert.ok(args.includes('availability_zone'));
    assert.ok(!args.includes('vpc_id'), 'an argument already set is not offered again');
    const refText = `${MAIN}\nlocals { x = aws_vpc.main.`;
    const attributes = completionsAt(files, 'file:///m/main.tf', refText, refText.length).map((item) => item.label);
    assert.ok(attributes.includes('default_security_group_id') && attributes.includes('cidr_block'));
    const varText = `${MAIN}\nlocals { x = var.`;
    assert.deepEqual(
      completionsAt(files, 'file:///m/main.tf', varText, varText.length).map((item) => item.label),
      ['public_cidr'],
    );
  });

  it('suggests only near misses', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(nearestAwsType('resource', 'aws_subnett'), 'aws_subnet');
    assert.equal(nearestAwsType('resource', 'aws_wafv2_web_acl'), undefined);
  });
});
