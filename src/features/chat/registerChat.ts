import * as vscode from 'vscode';
import { OperationService } from '../shared/operationService';
import type { PilotLightContext } from '../shared/pilotLightContext';
import { AwsChatParticipant, PARTICIPANT_ID } from './participant';

/** The @aws chat participant. */
export function registerChat(ctx: PilotLightContext): AwsChatParticipant | undefined {
  if (!vscode.chat?.createChatParticipant) return undefined;
  const participant = new AwsChatParticipant(ctx, OperationService.for(ctx));
  const chat = vscode.chat.createChatParticipant(PARTICIPANT_ID, participant.handler);
  chat.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'aws.svg');
  chat.followupProvider = participant.followupProvider;
  ctx.extension.subscriptions.push(chat);
  return participant;
}
