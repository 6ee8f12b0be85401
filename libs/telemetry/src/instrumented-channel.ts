import type { NotificationChannel, PendingApproval } from '@approvals/application';
import { SpanKind } from '@opentelemetry/api';
import { ApprovalsAttributes, MetricNames, approvalsMeter } from './approvals-metrics';
import { SERVICE_ATTRIBUTE, inSpan, tracerOf } from './tracing';

/**
 * A notification channel, observed: each delivery of an approval request is a CLIENT span
 * (`notification.deliver <channel>`) and is counted by channel and result.
 */
export function instrumentChannel(channel: NotificationChannel): NotificationChannel {
  const tracer = tracerOf('notifier');
  const delivered = approvalsMeter().createCounter(MetricNames.notificationsDelivered, { description: 'Deliveries of approval requests to channels', unit: '{delivery}' });
  const deliver = (item: PendingApproval) =>
    inSpan(
      tracer,
      {
        name: `notification.deliver ${channel.name}`,
        kind: SpanKind.CLIENT,
        attributes: { [SERVICE_ATTRIBUTE]: 'notifier', [ApprovalsAttributes.channel]: channel.name, [ApprovalsAttributes.actionId]: item.actionId },
      },
      async (span) => {
        let result = 'failed';
        try {
          const receipt = await channel.deliver(item);
          result = receipt ? 'delivered' : 'not_addressed';
          if (receipt) span.setAttribute('approvals.notification.target', receipt.target);
          return receipt;
        } finally {
          delivered.add(1, { [ApprovalsAttributes.channel]: channel.name, [ApprovalsAttributes.result]: result });
        }
      },
    );
  // The other methods are the channel's own (and absent where it has none).
  return {
    name: channel.name,
    deliver,
    deliverBreakGlass: channel.deliverBreakGlass.bind(channel),
    ...(channel.refresh ? { refresh: channel.refresh.bind(channel) } : {}),
    ...(channel.remind ? { remind: channel.remind.bind(channel) } : {}),
    ...(channel.notifyEscalation ? { notifyEscalation: channel.notifyEscalation.bind(channel) } : {}),
    ...(channel.deliverDigest ? { deliverDigest: channel.deliverDigest.bind(channel) } : {}),
    ...(channel.notifyOwner ? { notifyOwner: channel.notifyOwner.bind(channel) } : {}),
  };
}
