// Benchmark entry VS Code loads through `extensionTestsPath` (scripts/bench.mjs, suite launch-template-editor).
// Creates a launch template with 50 versions in the emulators, then times, per repeat:
//   openMs  the `pilotLight.launchTemplate.edit` command until the webview reports the form rendered
//           (template and version reads through the runner, state message, Lit render in the real webview).
// Writes JSON to $PILOT_LIGHT_BENCH_RESULT. It measures; it asserts nothing about time.

import * as fs from 'fs';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';

const EXTENSION_ID = 'pilot-light.pilot-light';
const VERSIONS = 50;

export interface LaunchTemplateEditorBenchResult {
  ok: boolean;
  error?: string;
  versions: number;
  openMs: number[];
  /** From the command until the template and its versions were read (through the runner). */
  readMs: number[];
}

export async function run(): Promise<void> {
  const resultFile = process.env.PILOT_LIGHT_BENCH_RESULT;
  if (!resultFile) throw new Error('PILOT_LIGHT_BENCH_RESULT (where to write the result) is not set');
  const endpoint = process.env.PILOT_LIGHT_TEST_ENDPOINT;
  const region = process.env.PILOT_LIGHT_BENCH_REGION ?? 'us-east-1';
  const repeats = Math.max(1, Number(process.env.PILOT_LIGHT_BENCH_REPEATS ?? '5'));
  const result: LaunchTemplateEditorBenchResult = { ok: false, versions: VERSIONS, openMs: [], readMs: [] };
  const ec2 = new EC2Client({ endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  let templateId: string | undefined;
  try {
    if (!endpoint) throw new Error('PILOT_LIGHT_TEST_ENDPOINT is not set');
    const extension = vscode.extensions.getExtension<PilotLightTestApi>(EXTENSION_ID);
    if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this workbench`);
    const api = await extension.activate();
    if (!api.testing) throw new Error('the bench needs the testing API (extension mode Test)');
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `bench-editor-${Date.now().toString(36)}`,
        LaunchTemplateData: {
          InstanceType: 't3.micro',
          ImageId: 'ami-12c6146b',
          MetadataOptions: { HttpTokens: 'required' },
        },
      }),
    );
    templateId = created.LaunchTemplate!.LaunchTemplateId!;
    for (let version = 2; version <= VERSIONS; version++) {
      await ec2.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: templateId,
          SourceVersion: '1',
          VersionDescription: `v${version}`,
          LaunchTemplateData: { InstanceType: version % 2 ? 't3.small' : 't3.medium' },
        }),
      );
    }
    for (let index = 0; index < repeats; index++) {
      const started = performance.now();
      await vscode.commands.executeCommand('pilotLight.launchTemplate.edit', { templateId, region });
      const panel = (await api.testing.launchTemplatePanels()).find(
        (candidate) => candidate.target.templateId === templateId,
      );
      if (!panel) throw new Error('the editor panel did not open');
      await Promise.race([
        panel.whenRendered(1),
        new Promise((_, reject) => setTimeout(() => reject(new Error('the form did not render within 60 s')), 60_000)),
      ]);
      result.openMs.push(performance.now() - started);
      if (panel.lastReadAt !== undefined) result.readMs.push(panel.lastReadAt - started);
      const state = [...panel.messagesSent].reverse().find((message) => message.type === 'state');
      if (!state || state.type !== 'state' || state.state.versions.length !== VERSIONS)
        throw new Error(
          `the editor showed ${state && state.type === 'state' ? state.state.versions.length : 0} versions, not ${VERSIONS}`,
        );
      panel.dispose();
    }
    result.ok = true;
  } catch (error) {
    result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    if (templateId)
      await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: templateId })).catch(() => undefined);
    fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
  }
  if (!result.ok) throw new Error(result.error);
}
