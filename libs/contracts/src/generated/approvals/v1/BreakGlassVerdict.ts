// Original file: approvals/v1/decisions.proto

export const BreakGlassVerdict = {
  BREAK_GLASS_VERDICT_UNSPECIFIED: 'BREAK_GLASS_VERDICT_UNSPECIFIED',
  JUSTIFIED: 'JUSTIFIED',
  UNJUSTIFIED: 'UNJUSTIFIED',
} as const;

export type BreakGlassVerdict =
  | 'BREAK_GLASS_VERDICT_UNSPECIFIED'
  | 0
  | 'JUSTIFIED'
  | 1
  | 'UNJUSTIFIED'
  | 2

export type BreakGlassVerdict__Output = typeof BreakGlassVerdict[keyof typeof BreakGlassVerdict]
