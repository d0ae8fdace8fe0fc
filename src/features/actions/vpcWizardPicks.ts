import * as vscode from 'vscode';
import type { VpcWizardState } from '../../core/conversation/vpcWizard';
import { runInteractively, type InteractiveCaller, type InteractiveRunResult } from '../shared/interactiveRun';
import type { OperationService } from '../shared/operationService';

/** The VPC wizard as quick picks (explorer and command palette); the same steps as `/wizard vpc`. */
export async function runVpcWizard(
  service: OperationService,
  options: { caller: InteractiveCaller; state?: VpcWizardState },
): Promise<InteractiveRunResult | undefined> {
  const wizard = await import('../../core/conversation/vpcWizard');
  let state: VpcWizardState = options.state ?? {};
  for (let step = wizard.nextWizardStep(state); step; step = wizard.nextWizardStep(state)) {
    const typeOwn = '$(edit) Type your own…';
    const items: Array<vscode.QuickPickItem & { state?: VpcWizardState }> = step.options.map((option) => ({
      label: option.label,
      description: option.description,
      state: option.state,
    }));
    if (step.freeText || step.id === 'environment') items.push({ label: typeOwn });
    const picked = await vscode.window.showQuickPick(items, {
      title: `Create a VPC (${step.index}/${step.total})`,
      placeHolder: step.question,
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (picked.state) {
      state = picked.state;
      continue;
    }
    const key = step.freeText?.key ?? 'environment';
    const value = await vscode.window.showInputBox({
      title: `Create a VPC (${step.index}/${step.total})`,
      prompt: step.question,
      placeHolder: step.freeText?.placeholder,
      ignoreFocusOut: true,
      validateInput: (text) =>
        step.freeText?.validate(text.trim()) ??
        (/^[\w-]{1,40}$/.test(text.trim()) ? undefined : 'Use letters, digits, dashes or underscores.'),
    });
    if (value === undefined) return undefined;
    state = { ...state, [key]: value.trim() };
  }
  if (!wizard.isComplete(state)) return undefined;
  return runInteractively(service, {
    operationId: 'ec2.vpcs.create',
    input: wizard.toCreateVpcInput(state),
    caller: options.caller,
    title: `Create VPC ${state.name}`,
  });
}
