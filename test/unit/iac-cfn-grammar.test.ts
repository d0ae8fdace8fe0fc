/**
 * The CloudFormation injection grammars tokenised together with VS Code's own YAML and JSON grammars, by
 * vscode-textmate from the code-server build the host tests use (.cache/vscode-host): the CloudFormation
 * scopes appear, and the base grammars still tokenise every line (no illegal tokens anywhere).
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..', '..');
const FIXTURES = join(repoRoot, 'test', 'fixtures', 'workspace', 'cloudformation');

function vscodeDir(): string | undefined {
  const hostCache = join(repoRoot, '.cache', 'vscode-host');
  if (!existsSync(hostCache)) return undefined;
  for (const name of readdirSync(hostCache).filter((entry) => entry.startsWith('code-server-'))) {
    const dir = join(hostCache, name, 'node_modules', 'code-server', 'lib', 'vscode');
    if (existsSync(join(dir, 'node_modules', 'vscode-textmate'))) return dir;
  }
  return undefined;
}

interface Token {
  text: string;
  scopes: string[];
}

describe('CloudFormation injection grammars', function () {
  this.timeout(30_000);
  let tokenize: (scope: 'source.yaml' | 'source.json', text: string) => Promise<Token[][]>;

  before(async function () {
    const dir = vscodeDir();
    // `npm test` installs code-server into .cache first; without it there is no VS Code grammar to inject into.
    assert.ok(dir, "VS Code's grammars come from .cache/vscode-host: run `npm test` (it installs code-server) once");
    const textmate = require(join(dir!, 'node_modules', 'vscode-textmate'));
    const oniguruma = require(join(dir!, 'node_modules', 'vscode-oniguruma'));
    await oniguruma.loadWASM(
      readFileSync(join(dir!, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm')).buffer,
    );
    const yamlDir = join(dir!, 'extensions', 'yaml', 'syntaxes');
    const files: Record<string, string> = {
      'source.yaml': join(yamlDir, 'yaml.tmLanguage.json'),
      'source.yaml.1.0': join(yamlDir, 'yaml-1.0.tmLanguage.json'),
      'source.yaml.1.1': join(yamlDir, 'yaml-1.1.tmLanguage.json'),
      'source.yaml.1.2': join(yamlDir, 'yaml-1.2.tmLanguage.json'),
      'source.yaml.1.3': join(yamlDir, 'yaml-1.3.tmLanguage.json'),
      'source.yaml.embedded': join(yamlDir, 'yaml-embedded.tmLanguage.json'),
      'source.json': join(dir!, 'extensions', 'json', 'syntaxes', 'JSON.tmLanguage.json'),
    };
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const injections = new Map<string, string[]>();
    for (const grammar of manifest.contributes.grammars as Array<{
      scopeName: string;
      path: string;
      injectTo?: string[];
    }>) {
      files[grammar.scopeName] = join(repoRoot, grammar.path);
      for (const target of grammar.injectTo ?? [])
        injections.set(target, [...(injections.get(target) ?? []), grammar.scopeName]);
    }
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (text: string) => new oniguruma.OnigString(text),
      }),
      loadGrammar: async (scope: string) =>
        files[scope] ? textmate.parseRawGrammar(readFileSync(files[scope], 'utf8'), files[scope]) : null,
      getInjections: (scope: string) => injections.get(scope) ?? [],
    });
    tokenize = async (scope, text) => {
      const grammar = await registry.loadGrammar(scope);
      let stack = textmate.INITIAL;
      return text.split('\n').map((line) => {
        const result = grammar.tokenizeLine(line, stack);
        stack = result.ruleStack;
        return result.tokens.map((token: { startIndex: number; endIndex: number; scopes: string[] }) => ({
          text: line.slice(token.startIndex, token.endIndex),
          scopes: token.scopes,
        }));
      });
    };
  });

  const scopesOf = (lines: Token[][], text: string): string[] =>
    lines.flat().find((token) => token.text === text)?.scopes ?? [];

  it('marks short-form tags, resource types, pseudo parameters and logical IDs in YAML, and breaks nothing', async () => {
    const lines = await tokenize('source.yaml', readFileSync(join(FIXTURES, 'network.yaml'), 'utf8'));
    assert.ok(scopesOf(lines, '!GetAtt').includes('support.function.intrinsic.cloudformation'));
    assert.ok(scopesOf(lines, '!Ref').includes('support.function.intrinsic.cloudformation'));
    assert.ok(scopesOf(lines, 'AWS::EC2::SecurityGroup').includes('entity.name.type.resource.cloudformation'));
    assert.ok(scopesOf(lines, 'AWS::StackName').includes('variable.language.pseudo-parameter.cloudformation'));
    for (const id of ['Vpc', 'Subnet', 'Group'])
      assert.ok(
        lines.some((line) =>
          line.some((t) => t.text === id && t.scopes.includes('entity.name.type.logical-id.cloudformation')),
        ),
        `${id} is a logical ID`,
      );
    const illegal = lines.flat().filter((token) => token.scopes.some((scope) => scope.startsWith('invalid')));
    assert.deepEqual(illegal, []);
    // The YAML grammar still reads the keys after a logical ID.
    assert.ok(scopesOf(lines, 'Type').includes('entity.name.tag.yaml'));
  });

  it('marks intrinsic keys, resource types and logical IDs in JSON', async () => {
    const lines = await tokenize('source.json', readFileSync(join(FIXTURES, 'queue.json'), 'utf8'));
    assert.ok(scopesOf(lines, 'Fn::Sub').includes('support.function.intrinsic.cloudformation'));
    assert.ok(scopesOf(lines, 'AWS::SQS::Queue').includes('entity.name.type.resource.cloudformation'));
    assert.ok(
      lines.some((line) =>
        line.some((t) => t.text === 'Queue' && t.scopes.includes('entity.name.type.logical-id.cloudformation')),
      ),
    );
    assert.deepEqual(
      lines.flat().filter((token) => token.scopes.some((scope) => scope.startsWith('invalid'))),
      [],
    );
  });
});
