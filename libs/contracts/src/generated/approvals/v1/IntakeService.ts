// Original file: approvals/v1/intake.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ActionView as _approvals_v1_ActionView, ActionView__Output as _approvals_v1_ActionView__Output } from '../../approvals/v1/ActionView';
import type { AwaitDecisionRequest as _approvals_v1_AwaitDecisionRequest, AwaitDecisionRequest__Output as _approvals_v1_AwaitDecisionRequest__Output } from '../../approvals/v1/AwaitDecisionRequest';
import type { AwaitDecisionResponse as _approvals_v1_AwaitDecisionResponse, AwaitDecisionResponse__Output as _approvals_v1_AwaitDecisionResponse__Output } from '../../approvals/v1/AwaitDecisionResponse';
import type { CancelActionRequest as _approvals_v1_CancelActionRequest, CancelActionRequest__Output as _approvals_v1_CancelActionRequest__Output } from '../../approvals/v1/CancelActionRequest';
import type { GetActionRequest as _approvals_v1_GetActionRequest, GetActionRequest__Output as _approvals_v1_GetActionRequest__Output } from '../../approvals/v1/GetActionRequest';
import type { RedeemGrantRequest as _approvals_v1_RedeemGrantRequest, RedeemGrantRequest__Output as _approvals_v1_RedeemGrantRequest__Output } from '../../approvals/v1/RedeemGrantRequest';
import type { RedeemGrantResponse as _approvals_v1_RedeemGrantResponse, RedeemGrantResponse__Output as _approvals_v1_RedeemGrantResponse__Output } from '../../approvals/v1/RedeemGrantResponse';
import type { ReportExecutionRequest as _approvals_v1_ReportExecutionRequest, ReportExecutionRequest__Output as _approvals_v1_ReportExecutionRequest__Output } from '../../approvals/v1/ReportExecutionRequest';
import type { RequestActionRequest as _approvals_v1_RequestActionRequest, RequestActionRequest__Output as _approvals_v1_RequestActionRequest__Output } from '../../approvals/v1/RequestActionRequest';
import type { RequestActionResponse as _approvals_v1_RequestActionResponse, RequestActionResponse__Output as _approvals_v1_RequestActionResponse__Output } from '../../approvals/v1/RequestActionResponse';
import type { WatchActionRequest as _approvals_v1_WatchActionRequest, WatchActionRequest__Output as _approvals_v1_WatchActionRequest__Output } from '../../approvals/v1/WatchActionRequest';

/**
 * Agents ask here before a privileged action. The agent is identified by its credentials
 * (gRPC metadata), never by a field of the request.
 */
export interface IntakeServiceClient extends grpc.Client {
  /**
   * Waits until the action has a final outcome or the timeout passes (decided = false).
   */
  AwaitDecision(argument: _approvals_v1_AwaitDecisionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_AwaitDecisionResponse__Output>): grpc.ClientUnaryCall;
  AwaitDecision(argument: _approvals_v1_AwaitDecisionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_AwaitDecisionResponse__Output>): grpc.ClientUnaryCall;
  AwaitDecision(argument: _approvals_v1_AwaitDecisionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_AwaitDecisionResponse__Output>): grpc.ClientUnaryCall;
  AwaitDecision(argument: _approvals_v1_AwaitDecisionRequest, callback: grpc.requestCallback<_approvals_v1_AwaitDecisionResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Waits until the action has a final outcome or the timeout passes (decided = false).
   */
  awaitDecision(argument: _approvals_v1_AwaitDecisionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_AwaitDecisionResponse__Output>): grpc.ClientUnaryCall;
  awaitDecision(argument: _approvals_v1_AwaitDecisionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_AwaitDecisionResponse__Output>): grpc.ClientUnaryCall;
  awaitDecision(argument: _approvals_v1_AwaitDecisionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_AwaitDecisionResponse__Output>): grpc.ClientUnaryCall;
  awaitDecision(argument: _approvals_v1_AwaitDecisionRequest, callback: grpc.requestCallback<_approvals_v1_AwaitDecisionResponse__Output>): grpc.ClientUnaryCall;
  
  CancelAction(argument: _approvals_v1_CancelActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  CancelAction(argument: _approvals_v1_CancelActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  CancelAction(argument: _approvals_v1_CancelActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  CancelAction(argument: _approvals_v1_CancelActionRequest, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  cancelAction(argument: _approvals_v1_CancelActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  cancelAction(argument: _approvals_v1_CancelActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  cancelAction(argument: _approvals_v1_CancelActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  cancelAction(argument: _approvals_v1_CancelActionRequest, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  
  GetAction(argument: _approvals_v1_GetActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  GetAction(argument: _approvals_v1_GetActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  GetAction(argument: _approvals_v1_GetActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  GetAction(argument: _approvals_v1_GetActionRequest, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  getAction(argument: _approvals_v1_GetActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  getAction(argument: _approvals_v1_GetActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  getAction(argument: _approvals_v1_GetActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  getAction(argument: _approvals_v1_GetActionRequest, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  
  /**
   * Consumes an execution grant before running its action: only the first redemption, by the
   * agent it was issued to, for exactly the approved request, before it expires, succeeds. Every
   * refusal is recorded in the ledger (a grant that does not verify: PERMISSION_DENIED).
   */
  RedeemGrant(argument: _approvals_v1_RedeemGrantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RedeemGrantResponse__Output>): grpc.ClientUnaryCall;
  RedeemGrant(argument: _approvals_v1_RedeemGrantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_RedeemGrantResponse__Output>): grpc.ClientUnaryCall;
  RedeemGrant(argument: _approvals_v1_RedeemGrantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RedeemGrantResponse__Output>): grpc.ClientUnaryCall;
  RedeemGrant(argument: _approvals_v1_RedeemGrantRequest, callback: grpc.requestCallback<_approvals_v1_RedeemGrantResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Consumes an execution grant before running its action: only the first redemption, by the
   * agent it was issued to, for exactly the approved request, before it expires, succeeds. Every
   * refusal is recorded in the ledger (a grant that does not verify: PERMISSION_DENIED).
   */
  redeemGrant(argument: _approvals_v1_RedeemGrantRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RedeemGrantResponse__Output>): grpc.ClientUnaryCall;
  redeemGrant(argument: _approvals_v1_RedeemGrantRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_RedeemGrantResponse__Output>): grpc.ClientUnaryCall;
  redeemGrant(argument: _approvals_v1_RedeemGrantRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RedeemGrantResponse__Output>): grpc.ClientUnaryCall;
  redeemGrant(argument: _approvals_v1_RedeemGrantRequest, callback: grpc.requestCallback<_approvals_v1_RedeemGrantResponse__Output>): grpc.ClientUnaryCall;
  
  ReportExecution(argument: _approvals_v1_ReportExecutionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  ReportExecution(argument: _approvals_v1_ReportExecutionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  ReportExecution(argument: _approvals_v1_ReportExecutionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  ReportExecution(argument: _approvals_v1_ReportExecutionRequest, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  reportExecution(argument: _approvals_v1_ReportExecutionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  reportExecution(argument: _approvals_v1_ReportExecutionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  reportExecution(argument: _approvals_v1_ReportExecutionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  reportExecution(argument: _approvals_v1_ReportExecutionRequest, callback: grpc.requestCallback<_approvals_v1_ActionView__Output>): grpc.ClientUnaryCall;
  
  /**
   * Proposes one concrete action. Idempotent per (agent, idempotency_key): the same key with the
   * same payload returns the same action; with a different payload it fails ALREADY_EXISTS.
   */
  RequestAction(argument: _approvals_v1_RequestActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RequestActionResponse__Output>): grpc.ClientUnaryCall;
  RequestAction(argument: _approvals_v1_RequestActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_RequestActionResponse__Output>): grpc.ClientUnaryCall;
  RequestAction(argument: _approvals_v1_RequestActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RequestActionResponse__Output>): grpc.ClientUnaryCall;
  RequestAction(argument: _approvals_v1_RequestActionRequest, callback: grpc.requestCallback<_approvals_v1_RequestActionResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Proposes one concrete action. Idempotent per (agent, idempotency_key): the same key with the
   * same payload returns the same action; with a different payload it fails ALREADY_EXISTS.
   */
  requestAction(argument: _approvals_v1_RequestActionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RequestActionResponse__Output>): grpc.ClientUnaryCall;
  requestAction(argument: _approvals_v1_RequestActionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_RequestActionResponse__Output>): grpc.ClientUnaryCall;
  requestAction(argument: _approvals_v1_RequestActionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_RequestActionResponse__Output>): grpc.ClientUnaryCall;
  requestAction(argument: _approvals_v1_RequestActionRequest, callback: grpc.requestCallback<_approvals_v1_RequestActionResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Streams the action's state now and on every status change; ends after the final outcome.
   */
  WatchAction(argument: _approvals_v1_WatchActionRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_approvals_v1_ActionView__Output>;
  WatchAction(argument: _approvals_v1_WatchActionRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_approvals_v1_ActionView__Output>;
  /**
   * Streams the action's state now and on every status change; ends after the final outcome.
   */
  watchAction(argument: _approvals_v1_WatchActionRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_approvals_v1_ActionView__Output>;
  watchAction(argument: _approvals_v1_WatchActionRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_approvals_v1_ActionView__Output>;
  
}

/**
 * Agents ask here before a privileged action. The agent is identified by its credentials
 * (gRPC metadata), never by a field of the request.
 */
export interface IntakeServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Waits until the action has a final outcome or the timeout passes (decided = false).
   */
  AwaitDecision: grpc.handleUnaryCall<_approvals_v1_AwaitDecisionRequest__Output, _approvals_v1_AwaitDecisionResponse>;
  
  CancelAction: grpc.handleUnaryCall<_approvals_v1_CancelActionRequest__Output, _approvals_v1_ActionView>;
  
  GetAction: grpc.handleUnaryCall<_approvals_v1_GetActionRequest__Output, _approvals_v1_ActionView>;
  
  /**
   * Consumes an execution grant before running its action: only the first redemption, by the
   * agent it was issued to, for exactly the approved request, before it expires, succeeds. Every
   * refusal is recorded in the ledger (a grant that does not verify: PERMISSION_DENIED).
   */
  RedeemGrant: grpc.handleUnaryCall<_approvals_v1_RedeemGrantRequest__Output, _approvals_v1_RedeemGrantResponse>;
  
  ReportExecution: grpc.handleUnaryCall<_approvals_v1_ReportExecutionRequest__Output, _approvals_v1_ActionView>;
  
  /**
   * Proposes one concrete action. Idempotent per (agent, idempotency_key): the same key with the
   * same payload returns the same action; with a different payload it fails ALREADY_EXISTS.
   */
  RequestAction: grpc.handleUnaryCall<_approvals_v1_RequestActionRequest__Output, _approvals_v1_RequestActionResponse>;
  
  /**
   * Streams the action's state now and on every status change; ends after the final outcome.
   */
  WatchAction: grpc.handleServerStreamingCall<_approvals_v1_WatchActionRequest__Output, _approvals_v1_ActionView>;
  
}

export interface IntakeServiceDefinition extends grpc.ServiceDefinition {
  AwaitDecision: MethodDefinition<_approvals_v1_AwaitDecisionRequest, _approvals_v1_AwaitDecisionResponse, _approvals_v1_AwaitDecisionRequest__Output, _approvals_v1_AwaitDecisionResponse__Output>
  CancelAction: MethodDefinition<_approvals_v1_CancelActionRequest, _approvals_v1_ActionView, _approvals_v1_CancelActionRequest__Output, _approvals_v1_ActionView__Output>
  GetAction: MethodDefinition<_approvals_v1_GetActionRequest, _approvals_v1_ActionView, _approvals_v1_GetActionRequest__Output, _approvals_v1_ActionView__Output>
  RedeemGrant: MethodDefinition<_approvals_v1_RedeemGrantRequest, _approvals_v1_RedeemGrantResponse, _approvals_v1_RedeemGrantRequest__Output, _approvals_v1_RedeemGrantResponse__Output>
  ReportExecution: MethodDefinition<_approvals_v1_ReportExecutionRequest, _approvals_v1_ActionView, _approvals_v1_ReportExecutionRequest__Output, _approvals_v1_ActionView__Output>
  RequestAction: MethodDefinition<_approvals_v1_RequestActionRequest, _approvals_v1_RequestActionResponse, _approvals_v1_RequestActionRequest__Output, _approvals_v1_RequestActionResponse__Output>
  WatchAction: MethodDefinition<_approvals_v1_WatchActionRequest, _approvals_v1_ActionView, _approvals_v1_WatchActionRequest__Output, _approvals_v1_ActionView__Output>
}
