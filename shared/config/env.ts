/** Config fails fast at module load: a missing variable throws with its name. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

export function requireIntEnv(name: string): number {
  const raw = requireEnv(name);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`Environment variable ${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

export function requireOneOf<T extends string>(name: string, allowed: readonly T[]): T {
  const value = requireEnv(name);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`Environment variable ${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}
