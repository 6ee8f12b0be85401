// Original file: approvals/v1/audit.proto

import type { Long } from '@grpc/proto-loader';

export interface TimelineEntry {
  /**
   * global ledger position
   */
  'position'?: (number | string | Long);
  /**
   * position within the action's stream
   */
  'revision'?: (number);
  'eventId'?: (string);
  'type'?: (string);
  'occurredAt'?: (string);
  'actor'?: (string);
  /**
   * one readable line
   */
  'summary'?: (string);
  /**
   * the event's data (secrets such as grant tokens removed)
   */
  'dataJson'?: (string);
  'traceId'?: (string);
  'hash'?: (string);
  'prevHash'?: (string);
}

export interface TimelineEntry__Output {
  /**
   * global ledger position
   */
  'position': (string);
  /**
   * position within the action's stream
   */
  'revision': (number);
  'eventId': (string);
  'type': (string);
  'occurredAt': (string);
  'actor': (string);
  /**
   * one readable line
   */
  'summary': (string);
  /**
   * the event's data (secrets such as grant tokens removed)
   */
  'dataJson': (string);
  'traceId': (string);
  'hash': (string);
  'prevHash': (string);
}
