import { z } from 'zod';

export const port = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

export const positiveInt = (fallback: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive').default(fallback);

/** A key file that must exist when named; else generated under the data directory on first start. */
export const keyFile = (named: string | undefined, generated: string, path: (p: string) => string) =>
  named ? { file: path(named), generateIfMissing: false } : { file: generated, generateIfMissing: true };
