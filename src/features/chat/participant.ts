import * as vscode from 'vscode';
import type { AnswerContext, ChatAnswer, ChatFollowup } from '../../core/conversation/answers';
import type { ContextCommand } from '../../core/conversation/keywordParser';
import type { TurnMemory } from '../../core/conversation/session';
import type { OperationService } from '../shared/operationService';
import { CONFIG_SECTION, type PilotLightContext } from '../shared/pilotLightContext';
import { readVia } from '../shared/serviceReads';
import { ModelUnavailableError, runModelLoop } from './modelLoop';
import { anchorResources, renderActions, renderAnswer, type RecordedResponse } from './renderAnswer';

export const PARTICIPANT_ID = 'pilot-light.aws';
const ENVIRONMENT_FOCUS_KEY = 'pilotLight.chat.environment';

export interface PilotLightChatResult extends vscode.ChatResult {
  metadata: { pilotLight: TurnMemory & { followups: ChatFollowup[] } };
}

function answerOnly(markdown: string, followups: ChatFollowup[] = []): ChatAnswer {
  return { markdown, touched: [], actions: [], followups };
}

/** The @aws participant: deterministic slash commands, keyword parsing, and a guarded tool loop with a model. */
export class AwsChatParticipant {
  /** What was streamed, in the extension's own tests only. */
  readonly recorded: RecordedResponse[] = [];

  constructor(
    private readonly ctx: PilotLightContext,
    private readonly service: OperationService,
  ) {}

  readonly handler: vscode.ChatRequestHandler = async (request, context, stream, token) => {
    const record: RecordedResponse | undefined = this.service.testMode
      ? {
          prompt: request.prompt,
          command: request.command,
          markdown: '',
          buttons: [],
          anchors: [],
          usedModel: false,
          toolCalls: [],
        }
      : undefined;
    if (record) this.recorded.push(record);
    const [{ ConversationSession, sanitizeTurn }] = await Promise.all([import('../../core/conversation/session')]);
    const session = ConversationSession.fromTurns(
      context.history
        .filter(
          (turn): turn is vscode.ChatResponseTurn =>
            turn instanceof vscode.ChatResponseTurn && turn.participant === PARTICIPANT_ID,
        )
        .map((turn) => sanitizeTurn(turn.result.metadata?.pilotLight)),
    );
    const memory: TurnMemory = { prompt: request.prompt.slice(0, 2000), command: request.command, touched: [] };
    let followups: ChatFollowup[] = [];
    try {
      const connection = await this.ctx.connection();
      const region = connection.region;
      memory.region = region;
      memory.account = await connection.identity().then(
        (identity) => identity.account,
        () => undefined,
      );
      const focus = session.environment ?? this.ctx.extension.workspaceState.get<string>(ENVIRONMENT_FOCUS_KEY);
      const answerContext: AnswerContext = {
        read: readVia(this.service, 'chat', region),
        dryRun: (operationId, input, where) => this.dryRun(operationId, input, region, where?.account),
        region,
        activeAccount: memory.account,
        resolveEnvironment: await this.service.environmentResolver(),
        session,
        environment: focus,
        stoppedDays:
          vscode.workspace.getConfiguration(CONFIG_SECTION).get<number>('insights.stoppedInstanceDays') ?? 14,
        priceCache: await (await import('../cost/prices')).priceCacheFor(this.ctx),
      };
      const answer = await this.answer(
        request,
        context,
        stream,
        token,
        answerContext,
        record,
        session.describeForModel(),
        memory,
      );
      if (answer) {
        await renderAnswer(stream, answer, record);
        await this.renderAnswerContext(stream, connection, memory.account, record);
        if (answer.touched.length) memory.touched = answer.touched;
        if (answer.environment !== undefined) memory.environment = answer.environment;
        followups = answer.followups;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.service.log('warn', `@aws could not answer: ${message}`);
      const { escapeMarkdown } = await import('../../core/conversation/markdown');
      const text = `I could not reach AWS to answer that: ${escapeMarkdown(message, 400)}\n\nCheck the connection with \`/context\`, or the AWS explorer's error node for details.`;
      stream.markdown(text);
      if (record) record.markdown += text;
      followups = [{ label: 'Show the AWS context', prompt: '', command: 'context' }];
    }
    return { metadata: { pilotLight: { ...memory, followups } } } satisfies PilotLightChatResult;
  };

  readonly followupProvider: vscode.ChatFollowupProvider = {
    provideFollowups: (result) =>
      ((result as PilotLightChatResult).metadata?.pilotLight?.followups ?? []).slice(0, 4).map((followup) => ({
        label: followup.label,
        prompt: followup.prompt,
        command: followup.command,
        participant: PARTICIPANT_ID,
      })),
  };

  private async dryRun(operationId: string, input: Record<string, unknown>, region: string, account?: string) {
    const { dryRunInAccount } = await import('../../core/conversation/accountChange');
    return dryRunInAccount(
      {
        run: (id, runInput, options) => this.service.run(id, runInput, options),
        activeAccount: () => this.service.activeAccount(),
        profileForAccount: async (id) =>
          (await import('../organizations/organizationsFeature'))
            .organizationsFeature(this.ctx)
            .profileForAccount(id, 'chat'),
      },
      operationId,
      input,
      region,
      account,
    );
  }

  private async answer(
    request: vscode.ChatRequest,
    context: vscode.ChatContext,
    stream: vscode.ChatResponseStream,
    token: vscode.CancellationToken,
    answerContext: AnswerContext,
    record: RecordedResponse | undefined,
    sessionSummary: string,
    memory: TurnMemory,
  ): Promise<ChatAnswer | undefined> {
    const answers = await import('../../core/conversation/answers');
    const parser = await import('../../core/conversation/keywordParser');
    const prompt = request.prompt.trim();
    switch (request.command) {
      case 'resources': {
        const { parseAccountsSelector } = await import('../../core/organizations/render');
        const across = parseAccountsSelector(prompt);
        if (across.selector || across.problem) {
          stream.progress('Reading resources across accounts…');
          return this.resourcesAcrossAccounts(across, answerContext.region);
        }
        stream.progress('Reading resources…');
        return answers.answerResources(answerContext, prompt || 'resources');
      }
      case 'security': {
        stream.progress('Checking IAM policies and security groups…');
        const intent = parser.parseIntent(`security ${prompt}`);
        return answers.answerSecurity(answerContext, intent.kind === 'security' ? intent.scope : undefined);
      }
      case 'unused':
        stream.progress('Looking for unused resources…');
        return answers.answerUnused(answerContext, parser.unusedScope(prompt));
      case 'insights':
        stream.progress('Checking what needs attention…');
        return this.insights(answerContext, memory.account);
      case 'context':
        return this.context(parser.parseContextCommand(prompt), answerContext);
      case 'wizard': {
        const [topic, ...rest] = prompt.split(/\s+/);
        if (topic && topic.toLowerCase() !== 'vpc')
          return answerOnly(
            `Not supported yet: a wizard for "${(await import('../../core/conversation/markdown')).escapeMarkdown(topic, 40)}". Try \`/wizard vpc\`.`,
            [{ label: 'Create a VPC', prompt: 'vpc', command: 'wizard' }],
          );
        return answers.answerVpcWizard(answerContext, rest.join(' '));
      }
      case 'approvals':
        return this.approvals();
      case 'compliance': {
        stream.progress('Running compliance checks…');
        const [{ answerCompliance }, { loadTagPolicy }] = await Promise.all([
          import('../../core/compliance/chat'),
          import('../../core/compliance/tagPolicy'),
        ]);
        const loaded = await loadTagPolicy({
          // User settings only; the workspace file can only add requirements.
          userPolicy: vscode.workspace.getConfiguration(CONFIG_SECTION).inspect('compliance.tagPolicy')?.globalValue,
          workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
        });
        return answerCompliance({
          read: answerContext.read,
          region: answerContext.region,
          account: memory.account,
          tagPolicy: loaded.policy,
          tagPolicyErrors: loaded.errors,
        });
      }
      case 'containers': {
        const [{ parseContainerRequest }, { answerContainers, CONTAINERS_HELP }] = await Promise.all([
          import('../../core/containers/chatIntent'),
          import('../../core/containers/chat'),
        ]);
        const containerRequest = prompt ? parseContainerRequest(prompt) : { kind: 'overview' as const };
        if (!containerRequest) return answerOnly(CONTAINERS_HELP);
        stream.progress('Reading ECS and EKS…');
        return answerContainers(answerContext, containerRequest);
      }
      case 'cost':
        stream.progress('Reading Cost Explorer…');
        return this.cost(prompt, answerContext, memory.account, true);
      case 'observe': {
        stream.progress('Reading CloudWatch…');
        const { answerObservability } = await import('../../core/observability/chat');
        return answerObservability(answerContext, prompt);
      }
      case 'backup': {
        const { answerBackupPlan } = await import('../../core/backup/chat');
        const connection = await this.ctx.connection();
        const answer = answerBackupPlan(prompt, {
          account: (await connection.identity()).account,
          region: answerContext.region,
        });
        return { markdown: answer.markdown, touched: [], actions: answer.actions, followups: [] };
      }
      case undefined:
        if ((await import('../../core/approvals/agentApprovals')).isApprovalStatusQuestion(prompt))
          return this.approvals();
        {
          const { isCostQuestion, parseCostRequest } = await import('../../core/cost/chatIntent');
          if (isCostQuestion(prompt) && parseCostRequest(prompt))
            return this.cost(prompt, answerContext, memory.account, false);
        }
        if ((await import('../../core/insights/proactive/answer')).isInsightsQuestion(prompt)) {
          stream.progress('Checking what needs attention…');
          return this.insights(answerContext, memory.account);
        }
        break;
      default:
        return answerOnly(`Not supported yet: /${request.command}.`);
    }

    const useModel =
      vscode.workspace.getConfiguration(CONFIG_SECTION).get<boolean>('chat.useLanguageModel', true) &&
      Boolean(request.model);
    if (useModel) {
      const [{ modelInstructions }, loaded] = await Promise.all([
        import('../../core/conversation/prompt'),
        this.service.policy(),
      ]);
      const instructions = modelInstructions({
        account: memory.account,
        region: answerContext.region,
        profile: (await this.ctx.connection()).profileName,
        environment: answerContext.environment,
        protectedEnvironments: loaded.policy.protectedEnvironments,
        session: sessionSummary,
      });
      try {
        if (record) record.usedModel = true;
        const result = await runModelLoop(request, context, stream, token, {
          participant: PARTICIPANT_ID,
          instructions,
          record,
          region: answerContext.region,
        });
        await anchorResources(stream, result.touched, record);
        const actions = [
          ...result.actions,
          ...result.touched.slice(0, 2).map((resource) => ({ kind: 'show-in-explorer' as const, resource })),
        ];
        renderActions(stream, actions, record);
        memory.touched = result.touched;
        return {
          markdown: '',
          touched: [],
          actions: [],
          followups: [
            { label: 'Find security issues', prompt: '', command: 'security' },
            { label: 'Find unused resources', prompt: '', command: 'unused' },
          ],
        };
      } catch (error) {
        if (!(error instanceof ModelUnavailableError)) throw error;
        if (record) record.usedModel = false;
        const note = `_The language model is not available (${(await import('../../core/conversation/markdown')).escapeMarkdown(error.message, 200)}), so I answered without it._\n\n`;
        stream.markdown(note);
        if (record) record.markdown += note;
      }
    }
    const intent = parser.parseIntent(prompt);
    if (intent.kind === 'context') return this.context(intent.command, answerContext);
    if (intent.kind !== 'help') stream.progress('Working on it…');
    return answers.answerIntent(answerContext, intent);
  }

  /** "What should I look at?" and /insights: the proactive checks' top insights, without a model; dismissed ones stay hidden. */
  private async insights(answerContext: AnswerContext, account: string | undefined): Promise<ChatAnswer> {
    const [{ answerInsights }, { parseDismissals, DISMISSALS_KEY }] = await Promise.all([
      import('../../core/insights/proactive/answer'),
      import('../../core/insights/proactive/dismissals'),
    ]);
    return answerInsights(answerContext, {
      account,
      dismissals: parseDismissals(this.ctx.extension.globalState.get(DISMISSALS_KEY)),
    });
  }

  /** Names the account (ID and IAM alias), region and profile under the answer. */
  private async renderAnswerContext(
    stream: vscode.ChatResponseStream,
    connection: { region: string; profileName: string },
    account: string | undefined,
    record: { markdown: string } | undefined,
  ): Promise<void> {
    const { renderAnswerContext } = await import('../../core/conversation/render');
    const alias = account
      ? await this.ctx.safety
          .runner()
          .then((runner) => runner.accountAlias('chat'))
          .catch(() => undefined)
      : undefined;
    const line = `\n\n${renderAnswerContext({ account, alias, region: connection.region, profile: connection.profileName })}`;
    stream.markdown(line);
    if (record) record.markdown += line;
  }

  /** /resources with `accounts: all | <ids> | ou:<id>`: one read in every selected account, failures listed. */
  private async resourcesAcrossAccounts(
    across: { selector?: import('../../core/organizations').AccountsSelector; rest: string; problem?: string },
    region: string,
  ): Promise<ChatAnswer> {
    const [{ answerAcrossAccounts }, { organizationsFeature }] = await Promise.all([
      import('../../core/organizations/chat'),
      import('../organizations/organizationsFeature'),
    ]);
    const feature = organizationsFeature(this.ctx);
    return answerAcrossAccounts(
      {
        access: await feature.access(),
        region,
        policy: (await this.service.policy()).policy,
        concurrency: feature.settings().concurrency,
      },
      across,
    );
  }

  /** /cost and plain cost questions: answered from registered reads, changes only as dry-runs; no model. */
  private async cost(prompt: string, answerContext: AnswerContext, account: string | undefined, slash: boolean) {
    const [{ parseCostRequest }, { answerCost }] = await Promise.all([
      import('../../core/cost/chatIntent'),
      import('../../core/cost/chat'),
    ]);
    const request = parseCostRequest(prompt);
    return answerCost(
      {
        read: answerContext.read,
        dryRun: answerContext.dryRun,
        region: answerContext.region,
        account,
        priceCache: answerContext.priceCache,
      },
      slash ? request : (request ?? { kind: 'overview' }),
    );
  }

  /** /context: shows the context, or switches region, profile (account) or environment focus. */
  /** Where each Jira/ServiceNow approval request stands; no model needed. */
  private async approvals(): Promise<ChatAnswer> {
    const { approvalsMarkdown } = await import('../../core/approvals/agentApprovals');
    const approvals = this.ctx.safety.agentApprovals;
    if (!approvals) return answerOnly('Not supported yet: approval requests are not available in this window.');
    return answerOnly(approvalsMarkdown(await approvals.list()));
  }

  private async context(command: ContextCommand, answerContext: AnswerContext): Promise<ChatAnswer> {
    const [{ renderContext }, { escapeMarkdown }, { isPlausibleRegion }] = await Promise.all([
      import('../../core/conversation/render'),
      import('../../core/conversation/markdown'),
      import('../../core/aws/regions'),
    ]);
    const notes: string[] = [];
    let environment: string | null | undefined;
    if (command.kind === 'switch') {
      if (command.region) {
        if (!isPlausibleRegion(command.region))
          notes.push(`"${escapeMarkdown(command.region, 40)}" is not a region code such as eu-central-1.`);
        else {
          await this.ctx.updateSetting('region', command.region);
          notes.push(`Switched region to \`${command.region}\`.`);
        }
      }
      if (command.profile) {
        const { loadProfiles } = await import('../../core/aws/sharedConfig');
        const profiles = await loadProfiles().catch(() => []);
        if (!profiles.some((profile) => profile.name === command.profile))
          notes.push(
            `There is no profile "${escapeMarkdown(command.profile, 60)}" in the AWS config files. Known: ${profiles.map((profile) => `\`${escapeMarkdown(profile.name, 60)}\``).join(', ') || 'none'}.`,
          );
        else {
          await this.ctx.updateSetting('profile', command.profile);
          notes.push(`Switched to profile \`${escapeMarkdown(command.profile, 60)}\`.`);
        }
      }
      if (command.environment !== undefined) {
        environment = command.environment;
        await this.ctx.extension.workspaceState.update(ENVIRONMENT_FOCUS_KEY, command.environment ?? undefined);
        notes.push(
          command.environment
            ? `Focused on environment **${escapeMarkdown(command.environment, 60)}**: questions without an environment are about it.`
            : 'Cleared the environment focus: questions cover every environment.',
        );
      }
    }
    const connection = await this.ctx.connection();
    const identity = await connection.identity().then(
      (value) => ({ value }),
      (error: Error) => ({ error: error.message }),
    );
    const loaded = await this.service.policy();
    const focus = environment === null ? undefined : (environment ?? answerContext.environment);
    const markdown = `${notes.length ? `${notes.join(' ')}\n\n` : ''}${renderContext({
      profile: escapeMarkdown(connection.profileName, 80),
      account: 'value' in identity ? identity.value.account : undefined,
      callerArn: 'value' in identity ? identity.value.arn : undefined,
      region: connection.region,
      endpoint: connection.endpointFor('ec2'),
      environment: focus,
      protectedEnvironments: loaded.policy.protectedEnvironments,
      auditPath: this.service.auditPath(),
      error: 'error' in identity ? identity.error : undefined,
    })}`;
    return {
      markdown,
      touched: [],
      actions: [],
      followups: [{ label: 'What is running here?', prompt: 'what is running?', command: 'resources' }],
      environment,
    };
  }
}

export function createAwsParticipant(ctx: PilotLightContext, service: OperationService): AwsChatParticipant {
  return new AwsChatParticipant(ctx, service);
}
