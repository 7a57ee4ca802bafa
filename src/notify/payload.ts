import { describeEvent } from './describe.js';
import type { NotifyEvent } from './types.js';

// The bodies the two providers send. Slack's incoming webhooks take `text` (the fallback shown in
// notifications) and Block Kit `blocks`; the generic webhook sends the event itself with a
// stable envelope, so receivers can route on `type` and deduplicate on `id`.

/** slackEscape escapes the three characters Slack's mrkdwn treats as control characters. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const slackEmoji: Record<string, string> = {
  SyncSucceeded: ':white_check_mark:',
  SyncFailed: ':x:',
  DriftDetected: ':warning:',
  DriftCorrected: ':wrench:',
  GuardBlocked: ':no_entry:',
  RolloutStarted: ':rocket:',
  RolloutHalted: ':octagonal_sign:',
  RolloutCompleted: ':tada:',
  ClusterUnreachable: ':electric_plug:',
};

/** SlackPayload is the JSON body of a Slack incoming-webhook message. */
export interface SlackPayload {
  text: string;
  blocks: unknown[];
}

/** slackPayload formats an event as a Slack message. */
export function slackPayload(event: NotifyEvent, fleet?: string): SlackPayload {
  const line = describeEvent(event);
  const facts = [
    fleet ? `fleet *${slackEscape(fleet)}*` : '',
    event.cluster ? `cluster *${slackEscape(event.cluster)}*` : '',
    event.release ? `release *${slackEscape(event.release)}*` : '',
    event.revision ? `revision \`${slackEscape(event.revision.slice(0, 12))}\`` : '',
    `<!date^${Math.floor(event.time / 1000)}^{date_short_pretty} {time_secs}|${new Date(event.time).toISOString()}>`,
  ].filter(Boolean);
  return {
    text: `${slackEmoji[event.type] ?? ':information_source:'} [flotilla] ${event.type}: ${slackEscape(line)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${slackEmoji[event.type] ?? ':information_source:'} *${slackEscape(event.type)}*\n${slackEscape(line)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: facts.join(' · ') }] },
    ],
  };
}

/** WebhookPayload is the JSON body of the generic webhook. */
export interface WebhookPayload {
  /** The delivery id, the same in every retry of one delivery (also the X-Flotilla-Delivery header). */
  id: string;
  type: string;
  /** RFC 3339. */
  time: string;
  fleet?: string;
  cluster?: string;
  release?: string;
  revision?: string;
  object?: string;
  /** One line for people. */
  message: string;
  /** The event with every field it has. */
  event: NotifyEvent;
}

/** webhookPayload wraps an event in the generic webhook's envelope. */
export function webhookPayload(event: NotifyEvent, deliveryId: string, fleet?: string): WebhookPayload {
  return {
    id: deliveryId,
    type: event.type,
    time: new Date(event.time).toISOString(),
    ...(fleet ? { fleet } : {}),
    ...(event.cluster ? { cluster: event.cluster } : {}),
    ...(event.release ? { release: event.release } : {}),
    ...(event.revision ? { revision: event.revision } : {}),
    ...(event.object ? { object: event.object } : {}),
    message: describeEvent(event),
    event,
  };
}
