import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  completionsAt,
  parseStateV4,
  parseTerraform,
  parseVariableFile,
  readVariableFiles,
  resolveVariables,
  terraformDrift,
  TfEvaluator,
  type TfFile,
} from '../../src/core/iac/terraform';
import type { ResourceReads } from '../../src/core/resources/model';

function fakeReads(instances: Array<Record<string, unknown>>): ResourceReads & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async read<Output>(operationId: string, input: Record<string, unknown>): Promise<Output> {
      calls.push(operationId);
      const ids = ((input.filters as Array<{ values: string[] }> | undefined)?.[0]?.values ?? []) as string[];
      const items =
        operationId === 'ec2.instances.list' ? instances.filter((i) => ids.includes(i.InstanceId as string)) : [];
      return { items } as Output;
    },
    account: async () => '123456789012',
  };
}

/** An HCL string literal for any text: quotes, backslashes, newlines and template openers escaped. */
function hclString(text: string): string {
  return `"${text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\$\{/g, '$${')
    .replace(/%\{/g, '%%{')}"`;
}

function hclValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(hclValue).join(', ')}]`;
  return `{ ${Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${hclString(key)} = ${hclValue(item)}`)
    .join(', ')} }`;
}

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/);
const scalar = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.boolean(),
  fc.constant(null),
);
const tfvarValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(identifier, tie('value'), { maxKeys: 3, noNullPrototype: true }),
  ),
})).value;

describe('Terraform variables and instances (unit)', () => {
  it('reads any tfvars values written as HCL or JSON back to the same values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(identifier, tfvarValue, { minKeys: 1, maxKeys: 6, noNullPrototype: true }),
        async (values) => {
          const hcl = Object.entries(values)
            .map(([name, value]) => `${name} = ${hclValue(value)}`)
            .join('\n');
          for (const [name, text] of [
            ['terraform.tfvars', hcl],
            ['x.auto.tfvars.json', JSON.stringify(values)],
          ] as const) {
            const file = await parseVariableFile(name, text);
            assert.equal(file.problem, undefined, `${name}: ${file.problem}\n${text}`);
            assert.deepEqual(
              Object.fromEntries([...file.values].map(([key, value]) => [key, value.known ? value.value : value])),
              values,
              text,
            );
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('reports a variable file it cannot parse and then knows no variable, whatever the bytes', async () => {
    const files: TfFile[] = [
      { uri: 'variables.tf', doc: await parseTerraform('variable "size" {\n  default = "t3.micro"\n}\n') },
    ];
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.boolean(), async (text, json) => {
        const file = await parseVariableFile(json ? 'terraform.tfvars.json' : 'terraform.tfvars', text);
        const variables = resolveVariables(files, [file]);
        const size = variables.values.get('size')!;
        if (file.problem) {
          assert.equal(size.known, false, 'a broken variable file leaves every variable unknown');
          assert.deepEqual(variables.problems, [{ file: file.name, message: file.problem }]);
        } else {
          assert.equal(variables.problems.length, 0);
          if (!file.values.has('size')) assert.deepEqual(size, { known: true, value: 't3.micro', source: 'default' });
        }
      }),
      { numRuns: 150 },
    );
    const broken = await parseVariableFile('terraform.tfvars', 'size = "t3.large"\nzone = {\n');
    assert.match(broken.problem!, /^terraform\.tfvars could not be parsed: Syntax error/);
    const blocks = await parseVariableFile('a.auto.tfvars', 'x {\n}\n');
    assert.match(blocks.problem!, /only "name = value" lines/);
    const big = await parseVariableFile('b.auto.tfvars', `x = "${'a'.repeat(1024 * 1024 + 1)}"`);
    assert.match(big.problem!, /at most 1,048,576 are read/);
  });

  it('resolves variables in Terraform order: default < terraform.tfvars < .json < *.auto.tfvars (lexical)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pilot-light-tfvars-'));
    try {
      await writeFile(join(folder, 'terraform.tfvars'), 'a = "tfvars"\nb = "tfvars"\nc = "tfvars"\n');
      await writeFile(join(folder, 'terraform.tfvars.json'), '{"b": "json", "c": "json"}');
      await writeFile(join(folder, 'z.auto.tfvars'), 'c = "z-auto"\n');
      await writeFile(join(folder, 'a.auto.tfvars.json'), '{"c": "a-auto"}');
      await writeFile(join(folder, 'other.tfvars'), 'a = "never loaded automatically"\n');
      const files: TfFile[] = [
        {
          uri: 'variables.tf',
          doc: await parseTerraform(
            'variable "a" {}\nvariable "b" {}\nvariable "c" {}\nvariable "d" {\n  default = ["x", 1]\n}\nvariable "e" {}\nvariable "f" {\n  default = upper("x")\n}\n',
          ),
        },
      ];
      const variableFiles = await readVariableFiles(folder);
      assert.deepEqual(
        variableFiles.map((file) => file.name),
        ['terraform.tfvars', 'terraform.tfvars.json', 'a.auto.tfvars.json', 'z.auto.tfvars'],
      );
      const { values } = resolveVariables(files, variableFiles);
      assert.deepEqual(Object.fromEntries(values), {
        a: { known: true, value: 'tfvars', source: 'terraform.tfvars' },
        b: { known: true, value: 'json', source: 'terraform.tfvars.json' },
        c: { known: true, value: 'z-auto', source: 'z.auto.tfvars' },
        d: { known: true, value: ['x', 1], source: 'default' },
        e: { known: false, reason: 'var.e has no default and no value in terraform.tfvars or *.auto.tfvars' },
        f: { known: false, reason: 'default of var.f is function upper() is not evaluated' },
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('evaluates locals, count.index, each.key/each.value and says why the rest is unknown', async () => {
    const tf = `variable "env" {
  default = "prod"
}
locals {
  name   = "web-\${var.env}"
  sizes  = { a = "t3.small", b = "t3.large" }
  alias  = local.name
  cidr   = cidrsubnet("10.0.0.0/16", 8, 1)
}
resource "aws_instance" "web" {
  count         = 2
  instance_type = local.sizes["a"]
  tags          = { Name = "\${local.alias}-\${count.index}" }
  subnet_id     = module.net.subnet_id
  ami           = local.cidr
}
`;
    const files: TfFile[] = [{ uri: 'main.tf', doc: await parseTerraform(tf) }];
    const variables = resolveVariables(files, []);
    const block = files[0].doc.blocks.find((candidate) => candidate.address === 'aws_instance.web')!;
    const value = (name: string) => block.attributes.find((attribute) => attribute.name === name)!.value;
    const evaluator = new TfEvaluator(files, undefined, variables).forInstance({ countIndex: 1 });
    assert.deepEqual(evaluator.evaluate(value('instance_type')), { known: true, value: 't3.small' });
    assert.deepEqual(evaluator.evaluate(value('tags')), { known: true, value: { Name: 'web-prod-1' } });
    assert.deepEqual(evaluator.evaluate(value('subnet_id')), {
      known: false,
      reason: 'module output (module.net.subnet_id)',
    });
    assert.deepEqual(evaluator.evaluate(value('ami')), {
      known: false,
      reason: 'local.cidr: function cidrsubnet() is not evaluated',
    });
    const outside = new TfEvaluator(files, undefined, variables);
    assert.equal(outside.evaluate(value('tags')).known, false);
    const each = outside.forInstance({ eachKey: 'b', eachValue: { known: true, value: { type: 't3.large' } } });
    const eachDoc = await parseTerraform('x = each.value.type\ny = "${each.key}"\n');
    assert.deepEqual(each.evaluate(eachDoc.attributes[0].value), { known: true, value: 't3.large' });
    assert.deepEqual(each.evaluate(eachDoc.attributes[1].value), { known: true, value: 'b' });
    // count/each never appear as module references (no "broken reference" diagnostics for them).
    assert.ok(files[0].doc.references.every((reference) => !['count', 'each'].includes(reference.kind)));
  });

  it('maps every count and for_each instance to its block and reports drift only on the changed instances', async () => {
    const instanceKey = fc.oneof(fc.constant('count' as const), fc.constant('for_each' as const));
    await fc.assert(
      fc.asyncProperty(
        instanceKey,
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { minLength: 1, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        fc.boolean(),
        async (mode, names, changed, setForm) => {
          const keys: Array<number | string> = mode === 'count' ? names.map((_, index) => index) : names;
          const tf = `variable "types" {
  default = { ${names.map((name) => `"${name}" = "t3.small"`).join(', ')} }
}
resource "aws_instance" "web" {
  ${mode === 'count' ? `count = ${names.length}` : setForm ? `for_each = toset(keys(var.types))` : 'for_each = var.types'}
  instance_type = ${mode === 'count' || setForm ? '"t3.small"' : 'each.value'}
  tags = { Name = "web-\${${mode === 'count' ? 'count.index' : setForm ? 'each.value' : 'each.key'}}" }
}
`;
          const ids = keys.map((_, index) => `i-${String(index).padStart(17, '0')}`);
          const state = parseStateV4(
            JSON.stringify({
              version: 4,
              resources: [
                {
                  mode: 'managed',
                  type: 'aws_instance',
                  name: 'web',
                  instances: keys.map((key, index) => ({ index_key: key, attributes: { id: ids[index] } })),
                },
              ],
            }),
          );
          const reads = fakeReads(
            keys.map((key, index) => ({
              InstanceId: ids[index],
              InstanceType: changed[index] ? 't3.large' : 't3.small',
              State: { Name: 'running' },
              Tags: [{ Key: 'Name', Value: `web-${key}` }],
            })),
          );
          const files: TfFile[] = [{ uri: 'main.tf', doc: await parseTerraform(tf) }];
          const report = await terraformDrift(files, state, reads, 'us-east-1', {
            variables: resolveVariables(files, []),
          });
          const address = (key: number | string) =>
            `aws_instance.web[${typeof key === 'number' ? key : JSON.stringify(key)}]`;
          assert.deepEqual(
            report.resources.map((resource) => [resource.address, resource.blockAddress, resource.instanceKey]),
            [...keys]
              .sort((a, b) =>
                typeof a === 'number' ? (a as number) - (b as number) : String(a).localeCompare(String(b)),
              )
              .map((key) => [address(key), 'aws_instance.web', key]),
          );
          const typeLine = tf.split('\n').findIndex((line) => line.includes('instance_type')) + 1;
          for (const [index, key] of keys.entries()) {
            const resource = report.resources.find((candidate) => candidate.address === address(key))!;
            const byName = Object.fromEntries(resource.attributes.map((attribute) => [attribute.attribute, attribute]));
            assert.equal(byName.tags.status, 'in-sync', 'count.index / each.key resolved per instance');
            assert.equal(byName.instance_type.status, changed[index] ? 'drifted' : 'in-sync');
            assert.equal(byName.instance_type.range.start.line, typeLine);
            assert.equal(resource.status, changed[index] ? 'drifted' : 'in-sync');
          }
          assert.deepEqual(reads.calls, ['ec2.instances.list'], 'one batched read for every instance');
        },
      ),
      { numRuns: 40 },
    );
  });

  it('completes references in values: addresses, var., local., count.index, each.*, attributes after an index', async () => {
    const text = `variable "env" {}
locals {
  tier = "web"
}
resource "aws_subnet" "a" {
  count      = 2
  cidr_block = "10.0.0.0/24"
}
resource "aws_instance" "web" {
  for_each  = toset(["a"])
  subnet_id = X
}
`;
    // The half-typed text is parsed as the editor would (the parse may hold a syntax error).
    const at = async (typed: string) => {
      const full = text.replace('X', typed);
      const offset = text.indexOf('X') + typed.length;
      const files: TfFile[] = [{ uri: 'main.tf', doc: await parseTerraform(full) }];
      return completionsAt(files, 'main.tf', full, offset).map((item) => item.label);
    };
    assert.deepEqual(await at('var.'), ['env']);
    assert.deepEqual(await at('local.'), ['tier']);
    assert.deepEqual(await at('each.'), ['key', 'value']);
    assert.deepEqual(await at('count.'), [], 'no count in this block');
    assert.deepEqual(await at('aws_subnet.'), ['a']);
    const attributes = await at('aws_subnet.a[0].');
    assert.ok(attributes.includes('id') && attributes.includes('cidr_block'), attributes.join());
    const start = await at('aws');
    assert.ok(
      ['var.env', 'local.tier', 'aws_subnet.a', 'aws_instance.web', 'each.key', 'each.value'].every((label) =>
        start.includes(label),
      ),
      start.join(),
    );
    assert.ok(!start.includes('count.index'));
    assert.deepEqual(await at('"plain text, '), [], 'nothing inside a plain string');
  });
});
