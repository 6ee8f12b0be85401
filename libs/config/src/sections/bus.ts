import { configSection } from '@approvals/contracts';
import { parseBrokers } from '@approvals/bus';
import { z } from 'zod';
import { positiveInt } from './common';

/** Distributed mode only: the broker, a prefix for topics and groups, and how long a command waits for its reply. */
export const busSection = configSection({
  env: {
    APPROVALS_KAFKA_BROKERS: z
      .string()
      .default('127.0.0.1:9092')
      .transform((list, ctx) => {
        try {
          return parseBrokers(list);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: `must list brokers as host:port[,host:port...]: ${(error as Error).message}` });
          return z.NEVER;
        }
      }),
    APPROVALS_KAFKA_NAMESPACE: z
      .string()
      .regex(/^[A-Za-z0-9_-]*$/, 'may only hold letters, digits, "_" and "-"')
      .max(100, 'must be at most 100 characters')
      .default(''),
    APPROVALS_COMMAND_TIMEOUT_MS: positiveInt(10_000),
  },
  read: (c) => ({
    /** The broker, and a prefix for topics and groups so systems can share it. */
    kafka: { brokers: c.APPROVALS_KAFKA_BROKERS, namespace: c.APPROVALS_KAFKA_NAMESPACE },
    /** How long a command waits for the decision service's reply. */
    commandTimeoutMs: c.APPROVALS_COMMAND_TIMEOUT_MS,
  }),
});
