// Notifications (SPEC §2.2): Slack incoming webhooks and signed generic webhooks, fed by the event
// stream, with retries, dead letters and secrets from the env or files only.
export { Notifier, describeNotification, type NotifierOptions, type NotifierStats } from './notifier.js';
export { deliver, backoffDelay, parseRetryAfter, type DeliveryOptions, type DeliveryOutcome, type DeliveryRequest, type FetchLike } from './deliver.js';
export { slackPayload, slackEscape, webhookPayload, type SlackPayload, type WebhookPayload } from './payload.js';
export { describeEvent } from './describe.js';
export { signWebhook, verifyWebhookSignature, signatureHeader, timestampHeader, deliveryHeader, eventHeader, type VerifyWebhookInput } from './sign.js';
export { resolveSecret, resolveUrl, describeSecretSource, type SecretReader } from './secret.js';
export { redactUrl, redactSecrets } from './redact.js';
export {
  defaultNotifyRetryPolicy,
  silentLog,
  systemNotifyClock,
  type DeadLetterRecord,
  type DeadLetterSink,
  type NotifyClock,
  type NotifyEvent,
  type NotifyLog,
  type NotifyRetryPolicy,
} from './types.js';
