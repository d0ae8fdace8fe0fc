/**
 * Troubleshooting from DRS data: why a source server's replication is stalled (dataReplicationError) and
 * why a recovery job failed (job log events). The fixes are our own summary of the documented remedies.
 * Unknown codes are reported as unknown, never guessed.
 */
import type { Job, JobLog, SourceServer } from '@aws-sdk/client-drs';
import { escapeMarkdown, inlineCode, codeBlock } from '../../conversation/markdown';
import { consoleUrl } from '../../resources/consoleLinks';

interface Advice {
  meaning: string;
  fixes: string[];
}

/** Every DataReplicationErrorString value of the DRS API, with what it means and what to check. */
export const REPLICATION_ERRORS: Record<string, Advice> = {
  AGENT_NOT_SEEN: {
    meaning: 'DRS has not heard from the replication agent on the source server.',
    fixes: [
      'Check that the source machine is running and the AWS Replication Agent service is started.',
      'Allow outbound TCP 443 from the source server to the DRS endpoint of the region (and to S3 for agent updates).',
      'If the machine was rebuilt or cloned, reinstall the agent.',
    ],
  },
  SNAPSHOTS_FAILURE: {
    meaning: 'DRS could not take EBS snapshots of the staging disks.',
    fixes: [
      'Check the EBS snapshot quota of the account and region (Service Quotas).',
      'Check that the DRS service role can create snapshots and use the KMS key of the staging disks (key policy).',
    ],
  },
  NOT_CONVERGING: {
    meaning: 'The source writes data faster than it can be replicated, so the lag does not shrink.',
    fixes: [
      'Check the bandwidth between the source and the replication server (throttling setting in the replication settings).',
      'Use a larger replication server instance type or a dedicated replication server for this machine.',
      'Use faster staging disk types (e.g. gp3 instead of st1) in the replication settings.',
    ],
  },
  UNSTABLE_NETWORK: {
    meaning: 'The connection between the agent and the replication server keeps dropping.',
    fixes: [
      'Check that TCP 1500 from the source server to the replication server subnet is open the whole time (firewalls, proxies, VPN idle timeouts).',
      'Check for packet loss or saturation on the link; lower the bandwidth throttle if the link is shared.',
    ],
  },
  FAILED_TO_CREATE_SECURITY_GROUP: {
    meaning: 'DRS could not create the security group of the replication servers.',
    fixes: [
      'Check the security group quota of the VPC.',
      'Check that the DRS service role may create security groups in the staging subnet’s VPC.',
      'Or pick existing security groups in the replication settings.',
    ],
  },
  FAILED_TO_LAUNCH_REPLICATION_SERVER: {
    meaning: 'DRS could not launch the replication server EC2 instance.',
    fixes: [
      'Check the staging subnet in the replication settings exists and has free IP addresses.',
      'Check EC2 instance quotas and that the replication server instance type is offered in the subnet’s Availability Zone.',
      'Check service control policies that may deny ec2:RunInstances.',
    ],
  },
  FAILED_TO_BOOT_REPLICATION_SERVER: {
    meaning: 'The replication server instance started but did not finish booting.',
    fixes: [
      'Check that the staging subnet can reach the DRS endpoint over TCP 443 (route to the internet, NAT gateway or a DRS VPC endpoint).',
      'Check the replication server’s security group allows its outbound traffic.',
    ],
  },
  FAILED_TO_AUTHENTICATE_WITH_SERVICE: {
    meaning: 'The replication server could not authenticate with DRS.',
    fixes: [
      'Check that the replication server can reach the DRS and STS endpoints over TCP 443 (VPC endpoints, proxies, DNS).',
      'Check the replication server’s instance role and any SCPs that restrict it.',
    ],
  },
  FAILED_TO_DOWNLOAD_REPLICATION_SOFTWARE: {
    meaning: 'The replication server could not download its software.',
    fixes: [
      'Check that the staging subnet can reach S3 over TCP 443 (S3 gateway endpoint or internet route).',
      'Check DNS resolution in the staging VPC.',
    ],
  },
  FAILED_TO_CREATE_STAGING_DISKS: {
    meaning: 'DRS could not create the EBS staging disks.',
    fixes: [
      'Check the EBS volume and storage quotas of the region.',
      'Check that the KMS key chosen for EBS encryption exists and that the DRS service role may use it.',
    ],
  },
  FAILED_TO_ATTACH_STAGING_DISKS: {
    meaning: 'DRS could not attach the staging disks to the replication server.',
    fixes: [
      'Check that the KMS key of the staging disks allows the DRS service role to create grants.',
      'Check the replication server instance type supports the number of disks (attachment limits).',
    ],
  },
  FAILED_TO_PAIR_REPLICATION_SERVER_WITH_AGENT: {
    meaning: 'The agent and the replication server could not pair.',
    fixes: [
      'Check that TCP 1500 from the source server to the replication server is open.',
      'Check the agent can reach the DRS endpoint over TCP 443; restart the agent service.',
    ],
  },
  FAILED_TO_CONNECT_AGENT_TO_REPLICATION_SERVER: {
    meaning: 'The agent could not connect to the replication server.',
    fixes: [
      'Open TCP 1500 from the source server to the replication server subnet (source firewall, network ACLs, the replication server security group).',
      'If replication uses private IPs, check the VPN or Direct Connect routes to the staging subnet.',
    ],
  },
  FAILED_TO_START_DATA_TRANSFER: {
    meaning: 'The connection exists, but data transfer did not start.',
    fixes: [
      'Check TCP 1500 stays open and is not inspected or terminated by a proxy.',
      'Check the source disks are readable by the agent (disk errors, driver issues) and restart the agent service.',
    ],
  },
};

/** Job log events that mean something failed, with what to check. */
export const JOB_FAILURE_EVENTS: Record<string, Advice> = {
  LAUNCH_FAILED: {
    meaning: 'DRS could not launch the recovery instance.',
    fixes: [
      'Check the launch template of the source server: subnet, security groups and instance type must exist in the recovery region.',
      'Check EC2 quotas (vCPU on-demand limit, EBS volumes) and that the instance type is offered in the subnet’s Availability Zone.',
      'Check the KMS key used for the recovery volumes can be used by the DRS service role.',
    ],
  },
  CONVERSION_FAIL: {
    meaning: 'DRS could not convert the source disks to boot on EC2.',
    fixes: [
      'Check the conversion server could reach DRS and S3 over TCP 443 from the staging subnet.',
      'Check the source OS is supported by DRS and its boot disk is healthy.',
    ],
  },
  SNAPSHOT_FAIL: {
    meaning: 'DRS could not take the point-in-time snapshot for the launch.',
    fixes: [
      'Check the EBS snapshot quota of the region.',
      'Check that the DRS service role may use the KMS key of the staging disks.',
    ],
  },
  USING_PREVIOUS_SNAPSHOT_FAILED: {
    meaning: 'DRS could not launch from the previous snapshot either.',
    fixes: ['Check the source server’s replication is healthy (see its replication state) and retry.'],
  },
  CLEANUP_FAIL: {
    meaning: 'DRS could not clean up temporary resources (conversion server, snapshots) after the job.',
    fixes: [
      'Check the DRS service role may terminate instances and delete volumes in the staging subnet; remove left-over resources by hand if needed.',
    ],
  },
  UPDATE_LAUNCH_TEMPLATE_FAILED: {
    meaning: 'DRS could not update the EC2 launch template before launch.',
    fixes: ['Check the launch template still exists and the DRS service role may create launch template versions.'],
  },
  UPDATE_NETWORK_CONFIGURATION_FAILED: {
    meaning: 'DRS could not update the recovered network configuration.',
    fixes: ['Check the CloudFormation stack of the source network and its events.'],
  },
  DEPLOY_NETWORK_CONFIGURATION_FAILED: {
    meaning: 'DRS could not deploy the recovered network (CloudFormation).',
    fixes: ['Check the CloudFormation stack events and VPC quotas in the recovery region.'],
  },
  NETWORK_RECOVERY_FAIL: {
    meaning: 'Recovery of the source network failed.',
    fixes: ['Check the CloudFormation stack events of the source network recovery.'],
  },
  SERVER_SKIPPED: {
    meaning: 'DRS skipped this server in the job.',
    fixes: [
      'Check the server is not already in another active job and its replication is healthy, then start the job again.',
    ],
  },
};

function link(type: 'drs:source-server' | 'drs:job', id: string | undefined, region: string): string {
  if (!id) return '';
  const url = consoleUrl({ type, id, name: id }, region);
  return url ? `[Open in the AWS console](${url})` : '';
}

function adviceLines(code: string, table: Record<string, Advice>): string[] {
  const advice = Object.prototype.hasOwnProperty.call(table, code) ? table[code] : undefined;
  if (!advice)
    return [
      `Unknown error code ${inlineCode(code, 80)}: Pilot Light has no explanation for it. Check the DRS documentation and the raw error below.`,
    ];
  return [advice.meaning, '', 'What to check:', ...advice.fixes.map((fix) => `- ${fix}`)];
}

/** Why a source server's replication is not healthy, as Markdown. */
export function explainReplication(server: SourceServer, region: string): string {
  const id = server.sourceServerID ?? 'unknown';
  const info = server.dataReplicationInfo;
  const hostname = server.sourceProperties?.identificationHints?.hostname;
  const lines = [`# Replication of ${escapeMarkdown(id)}${hostname ? ` (${escapeMarkdown(hostname)})` : ''}`, ''];
  lines.push(`- State: ${escapeMarkdown(info?.dataReplicationState ?? 'unknown') || 'unknown'}`);
  if (info?.lagDuration) lines.push(`- Lag: ${escapeMarkdown(info.lagDuration)}`);
  if (info?.etaDateTime) lines.push(`- Initial sync ETA: ${escapeMarkdown(info.etaDateTime)}`);
  const steps = info?.dataReplicationInitiation?.steps ?? [];
  const failedStep = steps.find((step) => step.status === 'FAILED');
  if (failedStep) lines.push(`- Failed initiation step: ${escapeMarkdown(failedStep.name)}`);
  lines.push('');
  const error = info?.dataReplicationError;
  if (error?.error) {
    lines.push(`## ${escapeMarkdown(error.error)}`, '', ...adviceLines(error.error, REPLICATION_ERRORS));
    if (error.rawError) lines.push('', 'Raw error from DRS:', '', codeBlock(error.rawError.slice(0, 2000)));
  } else if (info?.dataReplicationState === 'STALLED') {
    lines.push(
      'Replication is STALLED but DRS reports no error code. Check the agent is running, TCP 1500 to the replication server and outbound TCP 443 to DRS.',
    );
  } else if (info?.dataReplicationState === 'DISCONNECTED') {
    lines.push(...adviceLines('AGENT_NOT_SEEN', REPLICATION_ERRORS));
  } else {
    lines.push('DRS reports no replication error for this server.');
  }
  const console = link('drs:source-server', server.sourceServerID, region);
  if (console) lines.push('', console);
  lines.push('');
  return lines.join('\n');
}

/** Why a recovery job failed, from its log items, as Markdown. */
export function explainJob(job: Job, logItems: JobLog[], region: string): string {
  const id = job.jobID ?? 'unknown';
  const lines = [`# Job ${escapeMarkdown(id)}`, ''];
  lines.push(
    `- Type: ${escapeMarkdown(job.type ?? 'unknown')}, initiated by ${escapeMarkdown(job.initiatedBy ?? 'unknown')}, status ${escapeMarkdown(job.status ?? 'unknown')}`,
  );
  for (const server of (job.participatingServers ?? []).slice(0, 200)) {
    lines.push(
      `- Server ${escapeMarkdown(server.sourceServerID)}: launch ${escapeMarkdown(server.launchStatus ?? 'unknown')}${server.recoveryInstanceID ? `, recovery instance ${escapeMarkdown(server.recoveryInstanceID)}` : ''}`,
    );
  }
  lines.push('');
  const failures = logItems.filter(
    (item) =>
      item.event && (item.event.endsWith('_FAIL') || item.event.endsWith('_FAILED') || item.event === 'SERVER_SKIPPED'),
  );
  if (!failures.length) {
    const failedServers = (job.participatingServers ?? []).filter((server) => server.launchStatus === 'FAILED');
    lines.push(
      failedServers.length
        ? `${failedServers.length} server(s) FAILED but the job log has no failure event: open the job in the console for details.`
        : 'The job log has no failure event.',
    );
  }
  for (const item of failures.slice(0, 50)) {
    const event = item.event!;
    lines.push(
      `## ${escapeMarkdown(event)}${item.eventData?.sourceServerID ? ` on ${escapeMarkdown(item.eventData.sourceServerID)}` : ''}${item.logDateTime ? ` at ${escapeMarkdown(item.logDateTime)}` : ''}`,
      '',
    );
    lines.push(...adviceLines(event, JOB_FAILURE_EVENTS));
    if (item.eventData?.rawError)
      lines.push('', 'Raw error from DRS:', '', codeBlock(item.eventData.rawError.slice(0, 2000)));
    const serverLink = link('drs:source-server', item.eventData?.sourceServerID, region);
    if (serverLink)
      lines.push('', serverLink.replace('Open in the AWS console', 'Open the source server in the AWS console'));
    lines.push('');
  }
  if (failures.length > 50) lines.push(`… and ${failures.length - 50} more failure events.`, '');
  const console = link('drs:job', job.jobID, region);
  if (console) lines.push(console, '');
  return lines.join('\n');
}
