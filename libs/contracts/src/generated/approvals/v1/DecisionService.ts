// Original file: approvals/v1/decisions.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CastVoteRequest as _approvals_v1_CastVoteRequest, CastVoteRequest__Output as _approvals_v1_CastVoteRequest__Output } from '../../approvals/v1/CastVoteRequest';
import type { CastVoteResponse as _approvals_v1_CastVoteResponse, CastVoteResponse__Output as _approvals_v1_CastVoteResponse__Output } from '../../approvals/v1/CastVoteResponse';
import type { ListPendingRequest as _approvals_v1_ListPendingRequest, ListPendingRequest__Output as _approvals_v1_ListPendingRequest__Output } from '../../approvals/v1/ListPendingRequest';
import type { ListPendingResponse as _approvals_v1_ListPendingResponse, ListPendingResponse__Output as _approvals_v1_ListPendingResponse__Output } from '../../approvals/v1/ListPendingResponse';

/**
 * Approvers decide here (the CLI and API channel). The approver is identified by credentials
 * in gRPC metadata.
 */
export interface DecisionServiceClient extends grpc.Client {
  CastVote(argument: _approvals_v1_CastVoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  CastVote(argument: _approvals_v1_CastVoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  CastVote(argument: _approvals_v1_CastVoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  CastVote(argument: _approvals_v1_CastVoteRequest, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  castVote(argument: _approvals_v1_CastVoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  castVote(argument: _approvals_v1_CastVoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  castVote(argument: _approvals_v1_CastVoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  castVote(argument: _approvals_v1_CastVoteRequest, callback: grpc.requestCallback<_approvals_v1_CastVoteResponse__Output>): grpc.ClientUnaryCall;
  
  ListPending(argument: _approvals_v1_ListPendingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  ListPending(argument: _approvals_v1_ListPendingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  ListPending(argument: _approvals_v1_ListPendingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  ListPending(argument: _approvals_v1_ListPendingRequest, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  listPending(argument: _approvals_v1_ListPendingRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  listPending(argument: _approvals_v1_ListPendingRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  listPending(argument: _approvals_v1_ListPendingRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  listPending(argument: _approvals_v1_ListPendingRequest, callback: grpc.requestCallback<_approvals_v1_ListPendingResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Approvers decide here (the CLI and API channel). The approver is identified by credentials
 * in gRPC metadata.
 */
export interface DecisionServiceHandlers extends grpc.UntypedServiceImplementation {
  CastVote: grpc.handleUnaryCall<_approvals_v1_CastVoteRequest__Output, _approvals_v1_CastVoteResponse>;
  
  ListPending: grpc.handleUnaryCall<_approvals_v1_ListPendingRequest__Output, _approvals_v1_ListPendingResponse>;
  
}

export interface DecisionServiceDefinition extends grpc.ServiceDefinition {
  CastVote: MethodDefinition<_approvals_v1_CastVoteRequest, _approvals_v1_CastVoteResponse, _approvals_v1_CastVoteRequest__Output, _approvals_v1_CastVoteResponse__Output>
  ListPending: MethodDefinition<_approvals_v1_ListPendingRequest, _approvals_v1_ListPendingResponse, _approvals_v1_ListPendingRequest__Output, _approvals_v1_ListPendingResponse__Output>
}
