import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigProblem, type ConfigContext, type ConfigSection } from '@approvals/contracts';
import { channelsSection, type ChannelSettings } from '@approvals/channels';
import { authSection } from './sections/auth';
import { busSection } from './sections/bus';
import { decisionSection } from './sections/decision';
import { notifierSection } from './sections/notifier';
import { serverSection } from './sections/server';
import { storageSection } from './sections/storage';

export { parseTrustProxy } from './sections/server';
export { dataFiles } from './data-files';

/**
 * The configuration's sections, each with its variables, cross-checks and settings; a channel's
 * section comes from its plugin (`@approvals/channels`). A section's cross-checks run in this order.
 */
const sections = {
  server: serverSection,
  storage: storageSection,
  auth: authSection,
  decision: decisionSection,
  bus: busSection,
  notifier: notifierSection,
} as const;

type Sections = typeof sections;
type SettingsOf<S> = S extends ConfigSection<z.ZodRawShape, infer Settings> ? Settings : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The validated configuration; nothing else reads process.env. */
export type AppConfig = UnionToIntersection<{ [K in keyof Sections]: SettingsOf<Sections[K]> }[keyof Sections]> & {
  /** The channels that are configured (each plugin's settings, by kind). */
  channels: ChannelSettings;
};

const all = [...Object.values(sections), channelsSection] as ConfigSection<z.ZodRawShape, unknown>[];
// Every variable of every section, checked at once so that each bad value is reported.
const schema = z.object(Object.assign({}, ...all.map((section) => section.env)) as z.ZodRawShape);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration once at start-up; errors name the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): AppConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const vars = parsed.data;
  const path = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const context: ConfigContext = { path, dataDir: path(String(vars['APPROVALS_DATA_DIR'])) };
  try {
    const settings = Object.values(sections).map((section) => (section as ConfigSection<z.ZodRawShape, object>).read(vars, context));
    return Object.assign({}, ...settings, { channels: channelsSection.read(vars, context) }) as AppConfig;
  } catch (error) {
    if (error instanceof ConfigProblem) throw new ConfigError(`invalid configuration:\n  ${error.message}`);
    throw error;
  }
}
