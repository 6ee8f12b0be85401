import type { z } from 'zod';

/** What the loader gives every section besides its own variables. */
export interface ConfigContext {
  /** A path from the configuration, made absolute against the working directory. */
  path(p: string): string;
  /** The data directory (APPROVALS_DATA_DIR), absolute. */
  dataDir: string;
}

/**
 * One section of the configuration: the environment variables it reads (a zod fragment, checked
 * with all the others so every bad value is reported at once), then the cross-checks between
 * them and the settings they give. Configuration is a contract with operators: the variable names
 * are documented in the README and never change meaning.
 */
export interface ConfigSection<Shape extends z.ZodRawShape, Settings> {
  readonly env: Shape;
  /** Throws ConfigProblem naming the variables when they do not go together. */
  read(vars: z.output<z.ZodObject<Shape>>, context: ConfigContext): Settings;
}

/** Declares a section, inferring its types. */
export const configSection = <Shape extends z.ZodRawShape, Settings>(section: ConfigSection<Shape, Settings>): ConfigSection<Shape, Settings> => section;

/** Variables that do not go together; the loader reports it as an invalid configuration. */
export class ConfigProblem extends Error {
  override readonly name = 'ConfigProblem';
}
